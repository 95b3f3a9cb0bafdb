// The resource name of an account, "accounts/{account_id}", and the syntax
// of an account id: the one definition shared by retaind and retainctl
// (through //api:names, which adds INVALID_ARGUMENT messages) and by plugins
// (through this SDK). It lives with the SDK because a plugin author builds
// against this one directory with a plain compiler command; so it needs
// nothing but the C++17 standard library.
#ifndef RETAIN_ACCOUNT_NAME_H_
#define RETAIN_ACCOUNT_NAME_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace retain::names {

inline constexpr std::string_view kAccountNamePrefix = "accounts/";
inline constexpr std::size_t kMaxAccountIdLength = 63;

// 1-63 of [a-z0-9-_.], starting with a letter or digit.
inline bool IsValidAccountId(std::string_view id) {
  if (id.empty() || id.size() > kMaxAccountIdLength) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_' && c != '.'))) return false;
  }
  return true;
}

// "acme" -> "accounts/acme". The id is not checked.
inline std::string AccountName(std::string_view id) {
  std::string name(kAccountNamePrefix);
  name.append(id);
  return name;
}

// Strict: true, with the id in *id, only for "accounts/{valid id}".
inline bool SplitAccountName(std::string_view name, std::string* id) {
  if (name.substr(0, kAccountNamePrefix.size()) != kAccountNamePrefix) {
    return false;
  }
  name.remove_prefix(kAccountNamePrefix.size());
  if (!IsValidAccountId(name)) return false;
  id->assign(name);
  return true;
}

// Lenient, for places that accept a name or a bare id: "accounts/acme" and
// "acme" both give "acme". Anything else comes back as it was given.
inline std::string AccountIdOf(std::string_view name_or_id) {
  if (name_or_id.substr(0, kAccountNamePrefix.size()) == kAccountNamePrefix) {
    name_or_id.remove_prefix(kAccountNamePrefix.size());
  }
  return std::string(name_or_id);
}

}  // namespace retain::names

#endif  // RETAIN_ACCOUNT_NAME_H_
