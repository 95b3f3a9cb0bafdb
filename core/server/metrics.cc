#include "core/server/metrics.h"

#include "absl/strings/str_cat.h"
#include "prometheus/client_metric.h"
#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"

namespace retain::server {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(const std::string& name, const std::string& help,
                    MetricType type) {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

void Add(MetricFamily& f, std::vector<ClientMetric::Label> labels,
         double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
}

}  // namespace

std::vector<MetricFamily> RetainMetrics::Collect() const {
  std::vector<MetricFamily> out;
  if (engine_ != nullptr) {
    engine::EngineStats st = engine_->stats();
    auto accounts =
        Family("retain_accounts", "Accounts in the model.", MetricType::Gauge);
    Add(accounts, {}, static_cast<double>(st.accounts));
    auto signals = Family("retain_signals_stored", "Signals in the store.",
                          MetricType::Gauge);
    Add(signals, {}, static_cast<double>(st.signals));
    auto rejections = Family(
        "retain_quota_rejections_total",
        "Requests refused with RESOURCE_EXHAUSTED by a per-tenant quota.",
        MetricType::Counter);
    auto stored = Family("retain_tenant_stored_bytes",
                         "Bytes a tenant stores, as its quota counts them.",
                         MetricType::Gauge);
    for (const auto& t : engine_->QuotaStats()) {
      Add(rejections, {{"tenant", t.tenant}, {"quota", "accounts"}},
          static_cast<double>(t.accounts_rejections));
      Add(rejections, {{"tenant", t.tenant}, {"quota", "signals_per_second"}},
          static_cast<double>(t.signals_per_second_rejections));
      Add(rejections, {{"tenant", t.tenant}, {"quota", "stored_bytes"}},
          static_cast<double>(t.stored_bytes_rejections));
      Add(stored, {{"tenant", t.tenant}}, static_cast<double>(t.stored_bytes));
    }
    out.push_back(std::move(accounts));
    out.push_back(std::move(signals));
    out.push_back(std::move(rejections));
    out.push_back(std::move(stored));
  }
  if (streams_ != nullptr) {
    auto open =
        Family("retain_streams_open",
               "Streams a key (or certificate) holds open.", MetricType::Gauge);
    auto refused = Family("retain_stream_rejections_total",
                          "Streams refused by --quota_streams_per_key.",
                          MetricType::Counter);
    for (const auto& k : streams_->Stats()) {
      Add(open, {{"principal", k.key}}, k.open);
      Add(refused, {{"principal", k.key}}, static_cast<double>(k.rejections));
    }
    out.push_back(std::move(open));
    out.push_back(std::move(refused));
  }
  if (audit_ != nullptr) {
    auto dropped = Family(
        "retain_failed_authentications_unrecorded_total",
        "Failed authentications past the audit trail's rate (counted only).",
        MetricType::Counter);
    Add(dropped, {}, static_cast<double>(audit_->dropped()));
    out.push_back(std::move(dropped));
  }
  return out;
}

absl::StatusOr<MetricsEndpoint> ServeMetrics(
    const std::string& listen, std::shared_ptr<RetainMetrics> metrics) {
  MetricsEndpoint out;
  try {
    out.exposer = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metrics_listen: cannot serve metrics on ", listen, ": ", e.what()));
  }
  out.metrics = std::move(metrics);
  out.exposer->RegisterCollectable(out.metrics);
  std::vector<int> ports = out.exposer->GetListeningPorts();
  out.port = ports.empty() ? 0 : ports.front();
  return out;
}

}  // namespace retain::server
