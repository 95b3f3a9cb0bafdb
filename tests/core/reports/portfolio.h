// Owns test accounts and hands out the pointer view the reports take.
#ifndef RETAIN_TESTS_CORE_REPORTS_PORTFOLIO_H_
#define RETAIN_TESTS_CORE_REPORTS_PORTFOLIO_H_

#include <memory>
#include <vector>

#include "core/reports/report_util.h"
#include "tests/core/health/account_builder.h"

namespace retain::testing {

struct Portfolio {
  std::vector<std::unique_ptr<model::AccountState>> owned;
  reports::Accounts view;

  model::AccountState& Add(const AccountBuilder& b) {
    owned.push_back(std::make_unique<model::AccountState>(b.Build()));
    view.push_back(owned.back().get());
    return *owned.back();
  }
};

}  // namespace retain::testing

#endif  // RETAIN_TESTS_CORE_REPORTS_PORTFOLIO_H_
