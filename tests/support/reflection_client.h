// A server-reflection client as generic tools (buf curl, grpcurl) use one:
// list services, fetch files by symbol or name, build a descriptor pool
// from nothing but what the server says, and call a method with messages
// made from it.
#ifndef RETAIN_TESTS_SUPPORT_REFLECTION_CLIENT_H_
#define RETAIN_TESTS_SUPPORT_REFLECTION_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "google/protobuf/dynamic_message.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"

namespace retain::testing {

// A context with a 30 s deadline and, unless `key` is empty, the API key.
std::unique_ptr<grpc::ClientContext> KeyedContext(const std::string& key);

// One reflection stream, as buf curl and grpcurl keep one; no key.
template <typename Service, typename Request, typename Response>
class Reflector {
 public:
  explicit Reflector(const std::shared_ptr<grpc::Channel>& channel)
      : stub_(Service::NewStub(channel)),
        context_(KeyedContext("")),
        stream_(stub_->ServerReflectionInfo(context_.get())) {}
  ~Reflector() {
    stream_->WritesDone();
    grpc::Status s = stream_->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
  }

  Response Ask(const Request& request) {
    Response response;
    EXPECT_TRUE(stream_->Write(request));
    EXPECT_TRUE(stream_->Read(&response));
    return response;
  }

  std::vector<std::string> Services() {
    Request request;
    request.set_list_services("");
    const Response response = Ask(request);
    std::vector<std::string> names;
    for (const auto& s : response.list_services_response().service()) {
      names.push_back(s.name());
    }
    return names;
  }

  // The files answering for `symbol`, first the one defining it; empty
  // when the server says NOT_FOUND.
  std::vector<google::protobuf::FileDescriptorProto> FilesFor(
      const std::string& symbol) {
    Request request;
    request.set_file_containing_symbol(symbol);
    return Files(Ask(request));
  }
  std::vector<google::protobuf::FileDescriptorProto> FilesNamed(
      const std::string& name) {
    Request request;
    request.set_file_by_filename(name);
    return Files(Ask(request));
  }

 private:
  static std::vector<google::protobuf::FileDescriptorProto> Files(
      const Response& r) {
    std::vector<google::protobuf::FileDescriptorProto> files;
    if (r.has_error_response()) {
      EXPECT_EQ(r.error_response().error_code(), grpc::StatusCode::NOT_FOUND)
          << r.error_response().error_message();
      return files;
    }
    for (const auto& bytes :
         r.file_descriptor_response().file_descriptor_proto()) {
      files.emplace_back();
      EXPECT_TRUE(files.back().ParseFromString(bytes));
    }
    return files;
  }

  std::unique_ptr<typename Service::Stub> stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReaderWriter<Request, Response>> stream_;
};

using ReflectorV1 = Reflector<grpc::reflection::v1::ServerReflection,
                              grpc::reflection::v1::ServerReflectionRequest,
                              grpc::reflection::v1::ServerReflectionResponse>;
using ReflectorV1alpha =
    Reflector<grpc::reflection::v1alpha::ServerReflection,
              grpc::reflection::v1alpha::ServerReflectionRequest,
              grpc::reflection::v1alpha::ServerReflectionResponse>;

// The files' names, in order.
std::vector<std::string> FileNames(
    const std::vector<google::protobuf::FileDescriptorProto>& files);

// What a generic client builds its types from: the files reflection
// returns, nothing compiled in.
class ReflectedFiles : public google::protobuf::DescriptorDatabase {
 public:
  explicit ReflectedFiles(ReflectorV1* reflector) : reflector_(reflector) {}

  bool FindFileByName(const std::string& name,
                      google::protobuf::FileDescriptorProto* out) override;
  bool FindFileContainingSymbol(
      const std::string& symbol,
      google::protobuf::FileDescriptorProto* out) override;
  bool FindFileContainingExtension(
      const std::string& /*type*/, int /*number*/,
      google::protobuf::FileDescriptorProto* /*out*/) override {
    return false;
  }

 private:
  void Keep(std::vector<google::protobuf::FileDescriptorProto> files);
  bool Copy(const std::string& name,
            google::protobuf::FileDescriptorProto* out);

  ReflectorV1* reflector_;
  std::map<std::string, google::protobuf::FileDescriptorProto> files_;
};

// A unary call by method name ("/package.Service/Method") with serialized
// messages, with `key` unless empty.
grpc::Status UnaryCallAs(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& method, const std::string& key,
                         const std::string& request, std::string* response);

// A call of `method` ("package.Service.Method") whose request (protobuf
// text format) is built, and response read, with descriptors from `pool`
// only.
grpc::Status CallReflected(
    const std::shared_ptr<grpc::Channel>& channel,
    const google::protobuf::DescriptorPool& pool,
    google::protobuf::DynamicMessageFactory* factory, const std::string& method,
    const std::string& key, const std::string& request_text,
    std::unique_ptr<google::protobuf::Message>* response);

}  // namespace retain::testing

#endif  // RETAIN_TESTS_SUPPORT_REFLECTION_CLIENT_H_
