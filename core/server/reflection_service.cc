#include "core/server/reflection_service.h"

#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/impl/server_initializer.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace retain::server {
namespace {

namespace pb = google::protobuf;

// The server's services, known only after it started; a client may ask
// before that.
class ServiceNames {
 public:
  void Set(std::vector<std::string> names) {
    absl::MutexLock lock(&mu_);
    names_ = std::move(names);
  }
  std::vector<std::string> Get() const {
    absl::MutexLock lock(&mu_);
    return names_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
};

// One implementation for both versions: their messages differ only in
// package.
template <typename Base, typename Request, typename Response>
class Reflection final : public Base {
 public:
  Reflection(const pb::DescriptorPool* pool,
             std::shared_ptr<const ServiceNames> services)
      : pool_(pool), services_(std::move(services)) {}

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* /*context*/,
      grpc::ServerReaderWriter<Response, Request>* stream) override {
    Request request;
    while (stream->Read(&request)) {
      Response response;
      response.set_valid_host(request.host());
      *response.mutable_original_request() = request;
      Answer(request, &response);
      if (!stream->Write(response)) break;
    }
    return grpc::Status::OK;
  }

 private:
  void Answer(const Request& request, Response* response) const {
    switch (request.message_request_case()) {
      case Request::kFileByFilename:
        return Files(pool_->FindFileByName(request.file_by_filename()),
                     absl::StrCat("file ", request.file_by_filename()),
                     response);
      case Request::kFileContainingSymbol:
        return Files(
            pool_->FindFileContainingSymbol(request.file_containing_symbol()),
            absl::StrCat("symbol ", request.file_containing_symbol()),
            response);
      case Request::kFileContainingExtension: {
        const auto& ext = request.file_containing_extension();
        const pb::Descriptor* type =
            pool_->FindMessageTypeByName(ext.containing_type());
        const pb::FieldDescriptor* field =
            type == nullptr
                ? nullptr
                : pool_->FindExtensionByNumber(type, ext.extension_number());
        return Files(field == nullptr ? nullptr : field->file(),
                     absl::StrCat("extension ", ext.extension_number(), " of ",
                                  ext.containing_type()),
                     response);
      }
      case Request::kAllExtensionNumbersOfType: {
        const pb::Descriptor* type = pool_->FindMessageTypeByName(
            request.all_extension_numbers_of_type());
        if (type == nullptr) {
          return NotFound(
              absl::StrCat("type ", request.all_extension_numbers_of_type()),
              response);
        }
        std::vector<const pb::FieldDescriptor*> extensions;
        pool_->FindAllExtensions(type, &extensions);
        auto* out = response->mutable_all_extension_numbers_response();
        out->set_base_type_name(type->full_name());
        for (const auto* e : extensions) out->add_extension_number(e->number());
        return;
      }
      case Request::kListServices: {
        auto* out = response->mutable_list_services_response();
        for (const auto& name : services_->Get()) {
          out->add_service()->set_name(name);
        }
        return;
      }
      default: {
        auto* error = response->mutable_error_response();
        error->set_error_code(grpc::StatusCode::INVALID_ARGUMENT);
        error->set_error_message("message_request: none of its fields is set");
      }
    }
  }

  // The file, then every file it imports, transitively, each once.
  void Files(const pb::FileDescriptor* file, const std::string& what,
             Response* response) const {
    if (file == nullptr) return NotFound(what, response);
    auto* out = response->mutable_file_descriptor_response();
    std::set<const pb::FileDescriptor*> seen = {file};
    std::vector<const pb::FileDescriptor*> queue = {file};
    for (size_t i = 0; i < queue.size(); ++i) {
      pb::FileDescriptorProto proto;
      queue[i]->CopyTo(&proto);
      queue[i]->CopyJsonNameTo(&proto);
      proto.SerializeToString(out->add_file_descriptor_proto());
      for (int d = 0; d < queue[i]->dependency_count(); ++d) {
        const pb::FileDescriptor* dep = queue[i]->dependency(d);
        if (seen.insert(dep).second) queue.push_back(dep);
      }
    }
  }

  static void NotFound(const std::string& what, Response* response) {
    auto* error = response->mutable_error_response();
    error->set_error_code(grpc::StatusCode::NOT_FOUND);
    error->set_error_message(absl::StrCat(what, " not found"));
  }

  const pb::DescriptorPool* pool_;
  std::shared_ptr<const ServiceNames> services_;
};

namespace v1 = grpc::reflection::v1;
namespace v1alpha = grpc::reflection::v1alpha;
using ReflectionV1 =
    Reflection<v1::ServerReflection::Service, v1::ServerReflectionRequest,
               v1::ServerReflectionResponse>;
using ReflectionV1alpha = Reflection<v1alpha::ServerReflection::Service,
                                     v1alpha::ServerReflectionRequest,
                                     v1alpha::ServerReflectionResponse>;

// Registers both services as the server is built and learns its service
// list once it started (the only place gRPC hands that list out).
class ReflectionPlugin : public grpc::ServerBuilderPlugin {
 public:
  ReflectionPlugin(const pb::DescriptorPool* pool,
                   std::vector<std::string> plugin_services)
      : plugin_services_(std::move(plugin_services)),
        names_(std::make_shared<ServiceNames>()),
        v1_(std::make_shared<ReflectionV1>(pool, names_)),
        v1alpha_(std::make_shared<ReflectionV1alpha>(pool, names_)) {
    // Links health.proto's descriptors into the process (gRPC's own health
    // service leaves none), so the health service listed is described too.
    grpc::health::v1::HealthCheckRequest::descriptor();
  }

  std::string name() override { return "retain_server_reflection"; }
  void InitServer(grpc::ServerInitializer* si) override {
    si->RegisterService(v1_);
    si->RegisterService(v1alpha_);
  }
  void Finish(grpc::ServerInitializer* si) override {
    std::set<std::string> names(si->GetServiceList()->begin(),
                                si->GetServiceList()->end());
    names.insert(plugin_services_.begin(), plugin_services_.end());
    names_->Set({names.begin(), names.end()});
  }
  void ChangeArguments(const std::string& /*name*/, void* /*value*/) override {}
  bool has_sync_methods() const override { return true; }

 private:
  std::vector<std::string> plugin_services_;
  std::shared_ptr<ServiceNames> names_;
  std::shared_ptr<ReflectionV1> v1_;
  std::shared_ptr<ReflectionV1alpha> v1alpha_;
};

class ReflectionOption : public grpc::ServerBuilderOption {
 public:
  ReflectionOption(const pb::DescriptorPool* pool,
                   std::vector<std::string> plugin_services)
      : pool_(pool), plugin_services_(std::move(plugin_services)) {}
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->push_back(
        std::make_unique<ReflectionPlugin>(pool_, plugin_services_));
  }

 private:
  const pb::DescriptorPool* pool_;
  std::vector<std::string> plugin_services_;
};

}  // namespace

std::unique_ptr<grpc::ServerBuilderOption> ServerReflection(
    const google::protobuf::DescriptorPool* pool,
    std::vector<std::string> plugin_services) {
  return std::make_unique<ReflectionOption>(pool, std::move(plugin_services));
}

}  // namespace retain::server
