#include "tests/support/generic_unary.h"

#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <future>
#include <vector>

namespace retain::testing {

grpc::Status UnaryBytes(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& method, const std::string& request,
                        std::string* response) {
  return UnaryBytesAs(channel, "", method, request, response);
}

grpc::Status UnaryBytesAs(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& key, const std::string& method,
                          const std::string& request, std::string* response) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  if (!key.empty()) ctx.AddMetadata("authorization", "Bearer " + key);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request_buffer,
                 &response_buffer,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return status;
  std::vector<grpc::Slice> slices;
  if (!response_buffer.Dump(&slices).ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot read the response");
  }
  response->clear();
  for (const auto& s : slices) {
    response->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return status;
}

}  // namespace retain::testing
