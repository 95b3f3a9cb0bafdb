// Prometheus metrics on a separate HTTP port (--metrics_listen): the limits
// and quotas of decision 0014 and the trust counters of 0016, read from the
// engine, the stream limiter and the audit trail when scraped (nothing is
// counted twice). prometheus-cpp from Debian serves them.
#ifndef RETAIN_CORE_SERVER_METRICS_H_
#define RETAIN_CORE_SERVER_METRICS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/auth/audit_log.h"
#include "core/engine/engine.h"
#include "core/server/stream_limiter.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"

namespace retain::server {

class RetainMetrics : public prometheus::Collectable {
 public:
  // Each may be null; all must outlive the metrics endpoint.
  RetainMetrics(engine::Engine* engine, const StreamLimiter* streams,
                const auth::AuditLog* audit)
      : engine_(engine), streams_(streams), audit_(audit) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  engine::Engine* engine_;
  const StreamLimiter* streams_;
  const auth::AuditLog* audit_;
};

struct MetricsEndpoint {
  std::shared_ptr<RetainMetrics> metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  int port = 0;
};

// Serves `metrics` at http://<listen>/metrics ("host:port"; port 0 picks
// one). INVALID_ARGUMENT when it cannot listen there.
absl::StatusOr<MetricsEndpoint> ServeMetrics(
    const std::string& listen, std::shared_ptr<RetainMetrics> metrics);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_METRICS_H_
