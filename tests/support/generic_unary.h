// One unary call by method name with raw message bytes, for tests that talk
// to a service whose generated code they do not have (grpc.health.v1) or
// that serves bytes (a test's own generic service).
#ifndef RETAIN_TESTS_SUPPORT_GENERIC_UNARY_H_
#define RETAIN_TESTS_SUPPORT_GENERIC_UNARY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace retain::testing {

// `method` is "/package.Service/Method"; 30 s deadline.
grpc::Status UnaryBytes(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& method, const std::string& request,
                        std::string* response);
// The same as the holder of API key `key` (authorization: Bearer).
grpc::Status UnaryBytesAs(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& key, const std::string& method,
                          const std::string& request, std::string* response);

}  // namespace retain::testing

#endif  // RETAIN_TESTS_SUPPORT_GENERIC_UNARY_H_
