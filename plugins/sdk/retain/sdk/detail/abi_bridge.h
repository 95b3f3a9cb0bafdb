// Not part of the plugin API: conversions between C++ strings and the C
// ABI's retain_str / retain_sink, shared by Host, the glue and the fake
// host.
#ifndef RETAIN_SDK_DETAIL_ABI_BRIDGE_H_
#define RETAIN_SDK_DETAIL_ABI_BRIDGE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "retain_plugin_abi.h"

namespace retain::sdk {

namespace internal {
inline void AppendToString(void* ctx, const char* data, size_t size) {
  static_cast<std::string*>(ctx)->append(data, size);
}
inline retain_sink StringSink(std::string* s) { return {s, &AppendToString}; }
inline retain_str Str(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view View(retain_str s) {
  return s.size ? std::string_view(s.data, s.size) : std::string_view();
}
}  // namespace internal

}  // namespace retain::sdk

#endif  // RETAIN_SDK_DETAIL_ABI_BRIDGE_H_
