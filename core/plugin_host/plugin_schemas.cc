#include "core/plugin_host/plugin_schemas.h"

#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/common/log.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/util/message_differencer.h"

namespace retain::plugin_host {
namespace {

namespace pb = google::protobuf;

absl::Status Refused(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("file_descriptor_set: ", why));
}

// Keeps the first error of a build, for the refusal's message.
class FirstError : public pb::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const pb::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    Note(absl::StrCat(filename, ": ",
                      element_name.empty() ? "" : element_name + ": ",
                      message));
  }
  void Note(const std::string& error) {
    if (error_.empty()) error_ = error;
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// Two copies of one file may differ in source locations and in the
// json_name protoc fills in (generated code leaves it out) and still be
// the same file.
void ClearJsonNames(pb::DescriptorProto* message) {
  for (auto& f : *message->mutable_field()) f.clear_json_name();
  for (auto& f : *message->mutable_extension()) f.clear_json_name();
  for (auto& m : *message->mutable_nested_type()) ClearJsonNames(&m);
}

bool SameFile(pb::FileDescriptorProto a, pb::FileDescriptorProto b) {
  for (pb::FileDescriptorProto* f : {&a, &b}) {
    f->clear_source_code_info();
    for (auto& m : *f->mutable_message_type()) ClearJsonNames(&m);
    for (auto& e : *f->mutable_extension()) e.clear_json_name();
  }
  return pb::util::MessageDifferencer::Equals(a, b);
}

void EnumSymbols(const pb::EnumDescriptor* e, std::vector<std::string>* out) {
  out->push_back(e->full_name());
  // Enum values live in the scope that holds the enum.
  for (int i = 0; i < e->value_count(); ++i) {
    out->push_back(e->value(i)->full_name());
  }
}

void MessageSymbols(const pb::Descriptor* m, std::vector<std::string>* out) {
  out->push_back(m->full_name());
  for (int i = 0; i < m->nested_type_count(); ++i) {
    MessageSymbols(m->nested_type(i), out);
  }
  for (int i = 0; i < m->enum_type_count(); ++i) {
    EnumSymbols(m->enum_type(i), out);
  }
  for (int i = 0; i < m->extension_count(); ++i) {
    out->push_back(m->extension(i)->full_name());
  }
}

// Every name a file puts in a scope another file could also use (fields and
// methods are inside their message or service, so they come with it).
std::vector<std::string> SymbolsOf(const pb::FileDescriptor* f) {
  std::vector<std::string> out;
  for (int i = 0; i < f->message_type_count(); ++i) {
    MessageSymbols(f->message_type(i), &out);
  }
  for (int i = 0; i < f->enum_type_count(); ++i) {
    EnumSymbols(f->enum_type(i), &out);
  }
  for (int i = 0; i < f->service_count(); ++i) {
    out.push_back(f->service(i)->full_name());
  }
  for (int i = 0; i < f->extension_count(); ++i) {
    out.push_back(f->extension(i)->full_name());
  }
  return out;
}

// A reflection lookup that builds a plugin file lazily should not fail
// after Add's checks; if one does, the log says which.
class LogBuildErrors : public pb::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const pb::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    common::Log(
        "warn", "server reflection cannot build a file",
        {{"file", filename}, {"element", element_name}, {"error", message}});
  }
};

LogBuildErrors* BuildErrorLog() {
  static auto* log = new LogBuildErrors;
  return log;
}

// Parses the set and builds its files, from the set alone, into `alone`.
absl::Status BuildAlone(const std::string& bytes, pb::FileDescriptorSet* set,
                        pb::DescriptorPool* alone) {
  if (!set->ParseFromString(bytes)) {
    return Refused("not a serialized google.protobuf.FileDescriptorSet");
  }
  if (set->file_size() == 0) return Refused("holds no files");
  std::map<std::string, const pb::FileDescriptorProto*> by_name;
  for (const auto& f : set->file()) {
    if (f.name().empty()) return Refused("a file has no name");
    if (!by_name.emplace(f.name(), &f).second) {
      return Refused(absl::StrCat(f.name(), " appears twice"));
    }
  }
  for (const auto& f : set->file()) {
    for (const auto& dep : f.dependency()) {
      if (!by_name.count(dep)) {
        return Refused(absl::StrCat(
            f.name(), " imports ", dep,
            ", which the set lacks (build it with protoc --include_imports)"));
      }
    }
  }
  // Imports first, whatever order the set lists its files in.
  FirstError errors;
  std::set<std::string> building;
  std::function<const pb::FileDescriptor*(const std::string&)> build =
      [&](const std::string& name) -> const pb::FileDescriptor* {
    if (const auto* built = alone->FindFileByName(name)) return built;
    if (!building.insert(name).second) {
      errors.Note(absl::StrCat(name, ": imports itself (an import cycle)"));
      return nullptr;
    }
    for (const auto& dep : by_name[name]->dependency()) {
      if (build(dep) == nullptr) return nullptr;
    }
    return alone->BuildFileCollectingErrors(*by_name[name], &errors);
  };
  for (const auto& f : set->file()) {
    if (build(f.name()) == nullptr) return Refused(errors.error());
  }
  return absl::OkStatus();
}

// The services of `methods` ("/pkg.Service/Method"), each of which `alone`
// must define as a unary method.
absl::Status ServedServices(const pb::DescriptorPool& alone,
                            const std::vector<std::string>& methods,
                            std::set<std::string>* services) {
  for (const auto& method : methods) {
    const size_t slash = method.rfind('/');
    if (method.empty() || method[0] != '/' || slash == 0 ||
        slash == std::string::npos) {
      return Refused(absl::StrCat("method '", method, "' is not /pkg.S/M"));
    }
    const std::string service = method.substr(1, slash - 1);
    const pb::MethodDescriptor* m = alone.FindMethodByName(
        absl::StrCat(service, ".", method.substr(slash + 1)));
    if (m == nullptr) {
      return Refused(absl::StrCat("the plugin serves ", method,
                                  ", which the set does not define"));
    }
    if (m->client_streaming() || m->server_streaming()) {
      return Refused(absl::StrCat(
          method, " streams in the set; plugin methods are unary"));
    }
    services->insert(service);
  }
  return absl::OkStatus();
}

}  // namespace

PluginSchemas::PluginSchemas()
    : compiled_(*pb::DescriptorPool::generated_pool()),
      known_(&compiled_, &accepted_),
      pool_(std::make_unique<pb::DescriptorPool>(&known_, BuildErrorLog())) {}

PluginSchemas::~PluginSchemas() = default;

std::string PluginSchemas::OwnerOf(const std::string& file) const {
  auto it = plugin_of_file_.find(file);
  if (it == plugin_of_file_.end()) return "the server";
  return absl::StrCat("plugin '", it->second, "'");
}

absl::Status PluginSchemas::NewFiles(
    const std::string& plugin, const pb::FileDescriptorSet& set,
    const pb::DescriptorPool& alone,
    std::vector<const pb::FileDescriptorProto*>* fresh) {
  const std::string own_package =
      absl::StrCat("retain.plugins.", plugin, ".v1");
  for (const auto& f : set.file()) {
    pb::FileDescriptorProto known;
    if (known_.FindFileByName(f.name(), &known)) {
      if (!SameFile(known, f)) {
        return Refused(absl::StrCat(f.name(),
                                    " differs from the file of that name ",
                                    OwnerOf(f.name()), " already has"));
      }
      continue;
    }
    const std::string& package = f.package();
    const bool retain_package =
        package == "retain" || absl::StartsWith(package, "retain.");
    if (retain_package && package != own_package &&
        !absl::StartsWith(package, own_package + ".")) {
      return Refused(absl::StrCat(
          f.name(), " declares package ", package, "; of the retain.* ",
          "packages a plugin may only define its own, ", own_package));
    }
    for (const auto& symbol : SymbolsOf(alone.FindFileByName(f.name()))) {
      auto owner = symbol_file_.find(symbol);
      if (owner != symbol_file_.end()) {
        return Refused(absl::StrCat(f.name(), " defines ", symbol, ", which ",
                                    OwnerOf(owner->second),
                                    " already defines in ", owner->second));
      }
      pb::FileDescriptorProto other;
      if (compiled_.FindFileContainingSymbol(symbol, &other)) {
        return Refused(absl::StrCat(f.name(), " defines ", symbol,
                                    ", which the server already defines in ",
                                    other.name()));
      }
    }
    fresh->push_back(&f);
  }
  return absl::OkStatus();
}

absl::Status PluginSchemas::Add(const std::string& plugin,
                                const std::string& file_descriptor_set,
                                const std::vector<std::string>& methods) {
  pb::FileDescriptorSet set;
  pb::DescriptorPool alone;
  if (absl::Status s = BuildAlone(file_descriptor_set, &set, &alone); !s.ok()) {
    return s;
  }
  std::set<std::string> services;
  if (absl::Status s = ServedServices(alone, methods, &services); !s.ok()) {
    return s;
  }
  std::vector<const pb::FileDescriptorProto*> fresh;
  if (absl::Status s = NewFiles(plugin, set, alone, &fresh); !s.ok()) {
    return s;
  }

  // The new files with the known ones they import, as reflection will
  // build them.
  pb::SimpleDescriptorDatabase staged;
  for (const auto* f : fresh) staged.Add(*f);
  pb::MergedDescriptorDatabase view(&known_, &staged);
  FirstError errors;
  pb::DescriptorPool staged_pool(&view, &errors);
  for (const auto* f : fresh) {
    if (staged_pool.FindFileByName(f->name()) == nullptr) {
      return Refused(errors.error().empty()
                         ? absl::StrCat(f->name(), " does not build")
                         : errors.error());
    }
  }

  for (const auto* f : fresh) {
    accepted_.Add(*f);
    plugin_of_file_[f->name()] = plugin;
    for (const auto& symbol : SymbolsOf(alone.FindFileByName(f->name()))) {
      symbol_file_[symbol] = f->name();
    }
  }
  services_.insert(services.begin(), services.end());
  return absl::OkStatus();
}

}  // namespace retain::plugin_host
