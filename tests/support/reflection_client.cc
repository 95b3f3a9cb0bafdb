#include "tests/support/reflection_client.h"

#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"

namespace retain::testing {

namespace pb = google::protobuf;

std::unique_ptr<grpc::ClientContext> KeyedContext(const std::string& key) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  if (!key.empty()) ctx->AddMetadata("authorization", "Bearer " + key);
  return ctx;
}

std::vector<std::string> FileNames(
    const std::vector<pb::FileDescriptorProto>& files) {
  std::vector<std::string> names;
  for (const auto& file : files) names.push_back(file.name());
  return names;
}

bool ReflectedFiles::FindFileByName(const std::string& name,
                                    pb::FileDescriptorProto* out) {
  if (!files_.count(name)) Keep(reflector_->FilesNamed(name));
  return Copy(name, out);
}

bool ReflectedFiles::FindFileContainingSymbol(const std::string& symbol,
                                              pb::FileDescriptorProto* out) {
  auto files = reflector_->FilesFor(symbol);
  if (files.empty()) return false;
  const std::string name = files[0].name();
  Keep(std::move(files));
  return Copy(name, out);
}

void ReflectedFiles::Keep(std::vector<pb::FileDescriptorProto> files) {
  for (auto& f : files) files_[f.name()] = std::move(f);
}

bool ReflectedFiles::Copy(const std::string& name,
                          pb::FileDescriptorProto* out) {
  auto it = files_.find(name);
  if (it == files_.end()) return false;
  *out = it->second;
  return true;
}

grpc::Status UnaryCallAs(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& method, const std::string& key,
                         const std::string& request, std::string* response) {
  grpc::GenericStub stub(channel);
  auto ctx = KeyedContext(key);
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1), out;
  std::promise<grpc::Status> done;
  stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &in, &out,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();
  std::vector<grpc::Slice> slices;
  if (status.ok() && out.Dump(&slices).ok()) {
    response->clear();
    for (const auto& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

grpc::Status CallReflected(const std::shared_ptr<grpc::Channel>& channel,
                           const pb::DescriptorPool& pool,
                           pb::DynamicMessageFactory* factory,
                           const std::string& method, const std::string& key,
                           const std::string& request_text,
                           std::unique_ptr<pb::Message>* response) {
  const pb::MethodDescriptor* m = pool.FindMethodByName(method);
  if (m == nullptr) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "unresolved " + method);
  }
  std::unique_ptr<pb::Message> request(
      factory->GetPrototype(m->input_type())->New());
  if (!pb::TextFormat::ParseFromString(request_text, request.get())) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "bad request text");
  }
  std::string out;
  grpc::Status s = UnaryCallAs(
      channel, absl::StrCat("/", m->service()->full_name(), "/", m->name()),
      key, request->SerializeAsString(), &out);
  response->reset(factory->GetPrototype(m->output_type())->New());
  if (s.ok() && !(*response)->ParseFromString(out)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "bad response bytes");
  }
  return s;
}

}  // namespace retain::testing
