#include "core/plugin_host/ticker.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/support/status_code_enum.h"

namespace retain::plugin_host {

Ticker::Ticker(std::shared_ptr<Plugin> plugin, HookRunner* runner,
               Ticked ticked)
    : plugin_(std::move(plugin)), runner_(runner), ticked_(std::move(ticked)) {}

Ticker::~Ticker() {
  Stop();
  alive_->store(false);
}

void Ticker::Start() { ScheduleNext(); }

void Ticker::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

void Ticker::ScheduleNext() {
  std::shared_ptr<std::atomic<bool>> alive = alive_;
  runner_->timer().Schedule(absl::Now() + plugin_->settings.tick_interval,
                            [this, alive] {
                              if (!alive->load()) return;
                              {
                                absl::MutexLock lock(&mu_);
                                if (stopping_) return;
                              }
                              TickNow(nullptr);
                              ScheduleNext();
                            });
}

void Ticker::TickNow(std::function<void()> done) {
  auto skip = [&] {
    if (done) done();
  };
  Plugin& p = *plugin_;
  if (!p.harness.ready()) return skip();
  std::shared_ptr<Run> prev;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return skip();
    prev = last_;
  }
  if (prev != nullptr) {
    int state = prev->state.load();
    if (state == Run::kQueued && prev->finished.load() &&
        prev->state.compare_exchange_strong(state, Run::kAbandoned)) {
      state = Run::kAbandoned;  // timed out before a worker took it
    }
    if (state == Run::kQueued || state == Run::kRunning) {
      if (state == Run::kRunning && prev->timed_out.load()) {
        Outcome o;
        o.timed_out = true;
        o.code = static_cast<int32_t>(grpc::StatusCode::DEADLINE_EXCEEDED);
        o.output = absl::StrCat("plugin ", p.name(),
                                " tick still running past its deadline of ",
                                absl::FormatDuration(p.settings.call_timeout));
        p.harness.Account(HookKind::kTick, o);
      }
      return skip();  // never two ticks of one plugin at once
    }
  }
  auto run = std::make_shared<Run>();
  {
    absl::MutexLock lock(&mu_);
    last_ = run;
  }
  const retain_plugin_module* module = p.module();
  void* instance = p.instance;
  std::function<absl::Time()> clock = p.env->clock;
  Ticked ticked = ticked_;
  runner_->RunAsync(
      plugin_,
      [module, instance, run, clock](retain_sink* out) -> int32_t {
        int expected = Run::kQueued;
        if (!run->state.compare_exchange_strong(expected, Run::kRunning)) {
          return 0;  // abandoned; its outcome was accounted already
        }
        int32_t code = module->retain_plugin_on_tick(
            instance, absl::ToUnixMicros(clock()), out);
        run->state.store(Run::kDone);
        return code;
      },
      p.settings.call_timeout, HookKind::kTick,
      [run, done, ticked](Outcome o) {
        run->timed_out.store(o.timed_out);
        run->finished.store(true);
        if (o.code == 0 && !o.timed_out && ticked) ticked();
        if (done) done();
      },
      "tick");
}

}  // namespace retain::plugin_host
