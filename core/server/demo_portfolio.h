// A deterministic demo portfolio: accounts in every segment with a year of
// usage, tickets, surveys, touchpoints and commercial events, so every
// report has something to show on a fresh server.
#ifndef RETAIN_CORE_SERVER_DEMO_PORTFOLIO_H_
#define RETAIN_CORE_SERVER_DEMO_PORTFOLIO_H_

#include <string>

#include "absl/status/status.h"
#include "core/engine/engine.h"

namespace retain::server {

absl::Status LoadDemoPortfolio(engine::Engine& engine,
                               const std::string& tenant);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_DEMO_PORTFOLIO_H_
