#include "core/plugin_host/hook_runner.h"

#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/log.h"
#include "core/plugin_host/host_callbacks.h"
#include "grpcpp/support/status_code_enum.h"

namespace retain::plugin_host {
namespace {

// Short, unique per process and ordered: enough to find one log line.
std::string NextErrorId() {
  static std::atomic<uint64_t> next{1};
  return absl::StrCat("p", absl::Hex(absl::ToUnixSeconds(absl::Now())), "-",
                      next.fetch_add(1));
}

CallHook HookOf(HookKind kind) {
  switch (kind) {
    case HookKind::kCall:
      return plugin::v1::CallContext::HOOK_CALL;
    case HookKind::kSignal:
      return plugin::v1::CallContext::HOOK_SIGNAL;
    case HookKind::kTick:
      return plugin::v1::CallContext::HOOK_TICK;
    case HookKind::kHealthEvent:
      return plugin::v1::CallContext::HOOK_HEALTH_EVENT;
    case HookKind::kReport:
      break;
  }
  return plugin::v1::CallContext::HOOK_UNSPECIFIED;
}

}  // namespace

HookRunner::~HookRunner() {
  absl::MutexLock lock(&alive_->mu);
  alive_->alive = false;
}

void HookRunner::RunAsync(const std::shared_ptr<Plugin>& p, Hook hook,
                          absl::Duration timeout, HookKind kind, Done done,
                          const std::string& label, HookScope scope) {
  struct Pending {
    std::atomic<bool> fired{false};
    std::atomic<Timer::Id> deadline{0};
    Done done;
    HookScope scope;
    absl::Time deadline_at;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  pending->scope = std::move(scope);
  if (pending->scope.hook == plugin::v1::CallContext::HOOK_UNSPECIFIED) {
    pending->scope.hook = HookOf(kind);
  }
  std::shared_ptr<Alive> alive = alive_;
  Timer* timer = &timer_;
  // The first of answer and deadline wins; the other is dropped.
  auto finish = [pending, p, alive, kind, label, timer](Outcome o) {
    if (pending->fired.exchange(true)) return;
    absl::ReaderMutexLock lock(&alive->mu);
    if (!alive->alive) return;
    if (Timer::Id id = pending->deadline.load()) timer->Cancel(id);
    if (o.code < 0 || o.code > 16) {
      o.output = absl::StrCat("invalid status code ", o.code, ": ", o.output);
      o.code = static_cast<int32_t>(grpc::StatusCode::UNKNOWN);
    }
    if (p->harness.Account(kind, o, label)) {
      o.error_id = NextErrorId();
      common::Log("warn", "plugin hook failed",
                  {{"plugin", p->name()},
                   {"hook", label.empty() ? "call" : label},
                   {"code", o.code},
                   {"error_id", o.error_id},
                   {"error", o.output}});
    }
    pending->done(std::move(o));
  };
  if (!p->harness.ready()) {
    Outcome o;
    o.rejected = true;
    o.code = static_cast<int32_t>(grpc::StatusCode::UNAVAILABLE);
    std::string reason = p->harness.last_error();
    o.output = absl::StrCat("plugin ", p->name(), " is ",
                            plugin::v1::PluginState_Name(p->harness.state()),
                            reason.empty() ? "" : ": ", reason);
    finish(std::move(o));
    return;
  }
  // Armed before the task is queued, so a fast answer can always cancel it.
  pending->deadline_at =
      std::min(absl::Now() + timeout, pending->scope.deadline);
  pending->deadline = timer_.Schedule(
      pending->deadline_at, [finish, timeout, name = p->name()] {
        Outcome o;
        o.timed_out = true;
        o.code = static_cast<int32_t>(grpc::StatusCode::DEADLINE_EXCEEDED);
        o.output = absl::StrCat("plugin ", name, " did not answer within ",
                                absl::FormatDuration(timeout));
        finish(std::move(o));
      });
  // The task holds the plugin (in `finish`) while it runs, even past
  // shutdown.
  bool queued = p->executor->Submit([pending, hook, finish, p] {
    if (pending->fired.load()) return;  // timed out while queued
    // While the hook runs, `fired` can only mean its deadline fired.
    const HookCall call{p.get(),
                        pending->scope.hook,
                        &pending->scope.method,
                        pending->deadline_at,
                        &pending->fired,
                        pending->scope.cancelled.get(),
                        &p->stopping,
                        pending->scope.caller.get()};
    Outcome o;
    retain_sink sink{&o.output, &AppendToString};
    {
      ScopedHookCall in_hook(&call);
      o.code = hook(&sink);
    }
    finish(std::move(o));
  });
  if (!queued) {
    Outcome o;
    o.rejected = true;
    o.code = static_cast<int32_t>(grpc::StatusCode::RESOURCE_EXHAUSTED);
    o.output = absl::StrCat("plugin ", p->name(), " is busy (queue full)");
    finish(std::move(o));
  }
}

Outcome HookRunner::RunSync(const std::shared_ptr<Plugin>& p, Hook hook,
                            absl::Duration timeout, HookKind kind,
                            const std::string& label) {
  struct Wait {
    absl::Mutex mu;
    bool done = false;
    Outcome outcome;
  };
  auto w = std::make_shared<Wait>();
  RunAsync(
      p, std::move(hook), timeout, kind,
      [w](Outcome o) {
        absl::MutexLock lock(&w->mu);
        w->outcome = std::move(o);
        w->done = true;
      },
      label);
  absl::MutexLock lock(&w->mu);
  w->mu.Await(absl::Condition(&w->done));
  return w->outcome;
}

}  // namespace retain::plugin_host
