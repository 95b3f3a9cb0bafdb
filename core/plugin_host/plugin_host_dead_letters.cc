// The facade's dead-letter operations: find the plugin, its dead letters
// and its delivery; the work is in dead_letters and signal_delivery.
#include "absl/strings/str_cat.h"
#include "core/plugin_host/plugin_host.h"
#include "core/plugin_host/plugin_host_impl.h"

namespace retain::plugin_host {
namespace {

absl::StatusOr<std::shared_ptr<Plugin>> Named(
    const std::map<std::string, std::shared_ptr<Plugin>>& by_name,
    const std::string& name) {
  auto it = by_name.find(name);
  if (it == by_name.end()) {
    return absl::NotFoundError(absl::StrCat("no plugin named '", name, "'"));
  }
  return it->second;
}

// The dead letters a request names: these seqs, or with `all` the oldest
// batch (`more` when others remain).
absl::StatusOr<std::vector<DeadLetter>> Selected(
    DeadLetters& letters, const std::string& tenant,
    const std::vector<int64_t>& seqs, bool all, bool* more) {
  *more = false;
  if (all) return letters.First(tenant, DeadLetters::kMaxBatch, more);
  return letters.Find(tenant, seqs);
}

}  // namespace

absl::StatusOr<plugin::v1::ListDeadLettersResponse> PluginHost::ListDeadLetters(
    const std::string& name, const std::string& tenant, int page_size,
    const std::string& page_token) {
  auto p = Named(impl_->by_name_, name);
  if (!p.ok()) return p.status();
  auto page = (*p)->dead_letters->List(tenant, page_size, page_token);
  if (!page.ok()) return page.status();
  plugin::v1::ListDeadLettersResponse out;
  for (auto& d : page->letters) *out.add_dead_letters() = std::move(d);
  out.set_next_page_token(page->next_token);
  return out;
}

void PluginHost::RetryDeadLetters(
    const std::string& name, const std::string& tenant,
    const std::vector<int64_t>& seqs, bool all,
    std::function<void(absl::StatusOr<plugin::v1::RetryDeadLettersResponse>)>
        done) {
  auto p = Named(impl_->by_name_, name);
  if (!p.ok()) return done(p.status());
  Plugin& plugin = **p;
  if (!plugin.harness.ready()) {
    return done(absl::FailedPreconditionError(
        absl::StrCat("plugin '", name, "' is ",
                     plugin::v1::PluginState_Name(plugin.harness.state()),
                     ", not ready; resume it first")));
  }
  bool more = false;
  auto letters = Selected(*plugin.dead_letters, tenant, seqs, all, &more);
  if (!letters.ok()) return done(letters.status());
  auto delivery = impl_->deliveries_.find(name);
  if (delivery == impl_->deliveries_.end()) {
    return done(absl::FailedPreconditionError(
        absl::StrCat("plugin '", name, "' subscribes to no signal kinds now")));
  }
  if (letters->empty()) return done(plugin::v1::RetryDeadLettersResponse());
  delivery->second->Retry(std::move(*letters),
                          [more, done = std::move(done)](
                              absl::StatusOr<SignalDelivery::RetryResult> r) {
                            if (!r.ok()) return done(r.status());
                            plugin::v1::RetryDeadLettersResponse out;
                            for (int64_t seq : r->delivered)
                              out.add_delivered(seq);
                            for (auto& d : r->failed)
                              *out.add_failed() = std::move(d);
                            for (int64_t seq : r->gone) out.add_gone(seq);
                            for (int64_t seq : r->not_tried)
                              out.add_not_tried(seq);
                            out.set_more(more);
                            done(std::move(out));
                          });
}

absl::StatusOr<plugin::v1::DropDeadLettersResponse> PluginHost::DropDeadLetters(
    const std::string& name, const std::string& tenant,
    const std::vector<int64_t>& seqs, bool all) {
  auto p = Named(impl_->by_name_, name);
  if (!p.ok()) return p.status();
  DeadLetters& letters = *(*p)->dead_letters;
  absl::StatusOr<int64_t> dropped;
  if (all) {
    dropped = letters.RemoveAll(tenant);
  } else {
    auto found = letters.Find(tenant, seqs);
    if (!found.ok()) return found.status();
    dropped = letters.Remove(*found);
  }
  if (!dropped.ok()) return dropped.status();
  plugin::v1::DropDeadLettersResponse out;
  out.set_dropped(*dropped);
  return out;
}

}  // namespace retain::plugin_host
