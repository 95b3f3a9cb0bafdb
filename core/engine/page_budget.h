// Caps a list response by bytes as well as by count: gRPC clients refuse a
// message over 4 MiB by default, so a page of large items (signals near
// their size cap, accounts with many contacts) ends early and the caller
// continues from its next_page_token (api/limits.h, kMaxPageBytes).
#ifndef RETAIN_CORE_ENGINE_PAGE_BUDGET_H_
#define RETAIN_CORE_ENGINE_PAGE_BUDGET_H_

#include <cstddef>

#include "api/limits.h"

namespace retain::engine {

class PageBudget {
 public:
  explicit PageBudget(size_t max_bytes = api::kMaxPageBytes)
      : left_(max_bytes) {}

  // Whether an item of `bytes` (its serialized size) still fits, and if so
  // counts it. The first item always fits, so a page is never empty while
  // items remain.
  bool Take(size_t bytes) {
    // A repeated field's element costs a tag and a length besides itself.
    const size_t cost = bytes + kFraming;
    if (!first_ && cost > left_) return false;
    first_ = false;
    left_ = cost > left_ ? 0 : left_ - cost;
    return true;
  }

 private:
  static constexpr size_t kFraming = 6;
  size_t left_;
  bool first_ = true;
};

}  // namespace retain::engine

#endif  // RETAIN_CORE_ENGINE_PAGE_BUDGET_H_
