// The facade's dead-letter operations: find the plugin, its dead letters
// (signals) or set-aside events (health events) and the delivery that
// retries them; the work is in dead_letters, set_aside_events,
// signal_delivery and health_event_delivery.
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
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

using plugin::v1::DeadLetterFeed;

constexpr char kHealthToken[] = "h:";

bool IsHealth(DeadLetterFeed feed) {
  return feed == plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT;
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

// The same for set-aside health events. Their positions are per tenant,
// so naming them needs one.
absl::StatusOr<std::vector<DeadLetter>> SelectedEvents(
    SetAsideEvents& events, const std::string& tenant,
    const std::vector<int64_t>& positions, bool all, bool* more) {
  *more = false;
  if (all) return events.First(tenant, DeadLetters::kMaxBatch, more);
  if (tenant.empty()) {
    return absl::InvalidArgumentError(
        "tenant: required to name health events by seq (their positions are "
        "per tenant)");
  }
  return events.Find(tenant, positions);
}

// A page of set-aside events after `after` (a key from a previous page).
absl::Status ListEvents(SetAsideEvents& events, const std::string& tenant,
                        const std::string& after, int limit,
                        plugin::v1::ListDeadLettersResponse* out) {
  std::string last_key;
  auto page = events.List(tenant, after, limit, &last_key);
  if (!page.ok()) return page.status();
  for (auto& d : *page) *out->add_dead_letters() = std::move(d);
  if (!last_key.empty()) {
    out->set_next_page_token(kHealthToken + absl::Base64Escape(last_key));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<plugin::v1::ListDeadLettersResponse> PluginHost::ListDeadLetters(
    const std::string& name, const std::string& tenant, int page_size,
    const std::string& page_token, DeadLetterFeed feed) {
  auto p = Named(impl_->by_name_, name);
  if (!p.ok()) return p.status();
  if (page_size < 0 || page_size > DeadLetters::kMaxBatch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size: must be 0-", DeadLetters::kMaxBatch, ", got ", page_size));
  }
  const int size = page_size == 0 ? 100 : page_size;
  plugin::v1::ListDeadLettersResponse out;
  // Signals first, then health events: a token says which it goes on with.
  if (IsHealth(feed) || absl::StartsWith(page_token, kHealthToken)) {
    std::string after;
    if (feed == plugin::v1::DEAD_LETTER_FEED_SIGNAL ||
        (!page_token.empty() &&
         (!absl::StartsWith(page_token, kHealthToken) ||
          !absl::Base64Unescape(page_token.substr(2), &after) ||
          (!after.empty() && !SetAsideEvents::IsKeyOf(tenant, after))))) {
      return absl::InvalidArgumentError(
          "page_token: not a token from a previous response");
    }
    if (absl::Status s =
            ListEvents(*(*p)->set_aside, tenant, after, size, &out);
        !s.ok()) {
      return s;
    }
    return out;
  }
  auto page = (*p)->dead_letters->List(tenant, page_size, page_token);
  if (!page.ok()) return page.status();
  for (auto& d : page->letters) {
    d.set_feed(plugin::v1::DEAD_LETTER_FEED_SIGNAL);
    *out.add_dead_letters() = std::move(d);
  }
  out.set_next_page_token(page->next_token);
  if (feed == plugin::v1::DEAD_LETTER_FEED_SIGNAL ||
      !page->next_token.empty()) {
    return out;
  }
  // The signals are done: the health events fill what is left of the page.
  const int room = size - out.dead_letters_size();
  if (room > 0) {
    if (absl::Status s = ListEvents(*(*p)->set_aside, tenant, "", room, &out);
        !s.ok()) {
      return s;
    }
  } else {
    bool more = false;
    auto first = (*p)->set_aside->First(tenant, 1, &more);
    if (!first.ok()) return first.status();
    if (!first->empty()) out.set_next_page_token(kHealthToken);
  }
  return out;
}

void PluginHost::RetryDeadLetters(
    const std::string& name, const std::string& tenant,
    const std::vector<int64_t>& seqs, bool all,
    std::function<void(absl::StatusOr<plugin::v1::RetryDeadLettersResponse>)>
        done,
    DeadLetterFeed feed) {
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
  auto letters =
      IsHealth(feed)
          ? SelectedEvents(*plugin.set_aside, tenant, seqs, all, &more)
          : Selected(*plugin.dead_letters, tenant, seqs, all, &more);
  if (!letters.ok()) return done(letters.status());
  // The thread that delivers the feed runs its retries: the plugin never
  // sees two signals, or two health events, at once.
  std::function<void(std::vector<DeadLetter>, SignalDelivery::RetryDone)> retry;
  if (IsHealth(feed)) {
    auto feed_it = impl_->health_feeds_.find(name);
    if (feed_it == impl_->health_feeds_.end()) {
      return done(absl::FailedPreconditionError(absl::StrCat(
          "plugin '", name, "' subscribes to no health-event kinds now")));
    }
    HealthEventDelivery* d = feed_it->second.get();
    retry = [d](std::vector<DeadLetter> l, SignalDelivery::RetryDone r) {
      d->Retry(std::move(l), std::move(r));
    };
  } else {
    auto delivery = impl_->deliveries_.find(name);
    if (delivery == impl_->deliveries_.end()) {
      return done(absl::FailedPreconditionError(absl::StrCat(
          "plugin '", name, "' subscribes to no signal kinds now")));
    }
    SignalDelivery* d = delivery->second.get();
    retry = [d](std::vector<DeadLetter> l, SignalDelivery::RetryDone r) {
      d->Retry(std::move(l), std::move(r));
    };
  }
  if (letters->empty()) return done(plugin::v1::RetryDeadLettersResponse());
  retry(std::move(*letters),
        [more, done = std::move(done)](
            absl::StatusOr<SignalDelivery::RetryResult> r) {
          if (!r.ok()) return done(r.status());
          plugin::v1::RetryDeadLettersResponse out;
          for (int64_t seq : r->delivered) out.add_delivered(seq);
          for (auto& d : r->failed) {
            if (d.feed() == plugin::v1::DEAD_LETTER_FEED_UNSPECIFIED) {
              d.set_feed(plugin::v1::DEAD_LETTER_FEED_SIGNAL);
            }
            *out.add_failed() = std::move(d);
          }
          for (int64_t seq : r->gone) out.add_gone(seq);
          for (int64_t seq : r->not_tried) out.add_not_tried(seq);
          out.set_more(more);
          done(std::move(out));
        });
}

absl::StatusOr<plugin::v1::DropDeadLettersResponse> PluginHost::DropDeadLetters(
    const std::string& name, const std::string& tenant,
    const std::vector<int64_t>& seqs, bool all, DeadLetterFeed feed) {
  auto p = Named(impl_->by_name_, name);
  if (!p.ok()) return p.status();
  absl::StatusOr<int64_t> dropped;
  if (IsHealth(feed)) {
    SetAsideEvents& events = *(*p)->set_aside;
    if (all) {
      dropped = events.RemoveAll(tenant);
    } else {
      bool more = false;
      auto found = SelectedEvents(events, tenant, seqs, false, &more);
      if (!found.ok()) return found.status();
      dropped = events.Remove(*found);
    }
    if (!dropped.ok()) return dropped.status();
    plugin::v1::DropDeadLettersResponse out;
    out.set_dropped(*dropped);
    return out;
  }
  DeadLetters& letters = *(*p)->dead_letters;
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
