#include "core/plugin_host/grpc_services.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/plugin_host/dead_letters.h"
#include "core/plugin_host/plugin_host.h"
#include "grpcpp/support/byte_buffer.h"
#include "plugins/sdk/retain_plugin_abi.h"

namespace retain::plugin_host {
namespace {

std::string BufferToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

class PluginCallReactor : public grpc::ServerGenericBidiReactor {
 public:
  PluginCallReactor(PluginHost* host, HostServices* services,
                    grpc::GenericCallbackServerContext* ctx)
      : host_(host),
        ctx_(ctx),
        finished_(std::make_shared<std::atomic<bool>>()) {
    if (!host_->ServesMethod(ctx->method())) {
      FinishOnce(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                              absl::StrCat("unknown method ", ctx->method())));
      return;
    }
    bool internals = false;
    auto caller = services->CallerForCall(*ctx, ctx->method(), &internals);
    if (!caller.ok()) {
      FinishOnce(ToGrpc(caller.status()));
      return;
    }
    tenant_ = caller->tenant();
    caller_ = std::make_shared<const plugin::v1::Caller>(*std::move(caller));
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      FinishOnce(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "no request message"));
      return;
    }
    if (finished_->load()) return;
    absl::Time deadline = absl::InfiniteFuture();
    auto client_deadline = ctx_->deadline();
    if (client_deadline != std::chrono::system_clock::time_point::max()) {
      deadline = absl::FromChrono(client_deadline);
    }
    std::shared_ptr<std::atomic<bool>> finished = finished_;
    host_->CallAsync(
        tenant_, ctx_->method(), BufferToString(request_), deadline,
        [this, finished](int32_t code, std::string out) {
          // Touch `this` only when this completion wins: the
          // reactor lives until OnDone, which cannot run before
          // Finish.
          if (finished->exchange(true)) return;
          if (code == 0) {
            grpc::Slice slice(out);
            response_ = grpc::ByteBuffer(&slice, 1);
            StartWriteAndFinish(&response_, grpc::WriteOptions(),
                                grpc::Status::OK);
          } else {
            Finish(grpc::Status(static_cast<grpc::StatusCode>(code), out));
          }
        },
        // Set by OnCancel too: the running handler can see the cancel.
        finished, caller_);
  }

  void OnCancel() override {
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }
  void OnDone() override { delete this; }

 private:
  void FinishOnce(const grpc::Status& status) {
    if (finished_->exchange(true)) return;
    Finish(status);
  }

  PluginHost* host_;
  grpc::GenericCallbackServerContext* ctx_;
  std::string tenant_;
  std::shared_ptr<const plugin::v1::Caller> caller_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::shared_ptr<std::atomic<bool>> finished_;
};

class MethodService : public grpc::CallbackGenericService {
 public:
  MethodService(PluginHost* host, HostServices* services)
      : host_(host), services_(services) {}
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* ctx) override {
    return new PluginCallReactor(host_, services_, ctx);
  }

 private:
  PluginHost* host_;
  HostServices* services_;
};

constexpr char kPluginService[] = "/retain.plugin.v1.PluginService/";

// What a caller who is not an operator may see of a plugin every tenant
// shares: not its last error, which may name another tenant's data.
plugin::v1::Plugin ForCaller(plugin::v1::Plugin p, bool internals) {
  if (!internals) {
    p.clear_last_error();
    p.clear_last_error_time();
  }
  return p;
}

// The tenant whose dead letters a call reaches: `requested`
// ("tenants/{tenant}") or, when empty, the caller's own; an operator's
// empty request reaches every tenant (""). Another tenant does not exist
// for anyone but an operator.
absl::StatusOr<std::string> DeadLetterScope(const std::string& caller,
                                            bool is_operator,
                                            const std::string& requested) {
  constexpr char kPrefix[] = "tenants/";
  if (requested.empty()) return is_operator ? "" : caller;
  const std::string tenant = absl::StartsWith(requested, kPrefix)
                                 ? requested.substr(sizeof(kPrefix) - 1)
                                 : "";
  if (tenant.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tenant: must be \"tenants/{tenant}\", got \"",
                     requested.substr(0, 80), "\""));
  }
  if (tenant != caller && !is_operator) {
    return absl::NotFoundError(absl::StrCat("no tenant \"", requested, "\""));
  }
  return tenant;
}

// A retry or drop names its dead letters by seq, or sets `all`.
absl::Status CheckSelection(
    const std::string& name,
    const google::protobuf::RepeatedField<int64_t>& seqs, bool all) {
  if (name.empty()) return absl::InvalidArgumentError("name: required");
  if (all && !seqs.empty()) {
    return absl::InvalidArgumentError("seqs: give seqs or set all, not both");
  }
  if (!all && seqs.empty()) {
    return absl::InvalidArgumentError("seqs: required unless all is set");
  }
  if (seqs.size() > DeadLetters::kMaxBatch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "seqs: at most ", DeadLetters::kMaxBatch, ", got ", seqs.size()));
  }
  for (int64_t seq : seqs) {
    if (seq <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("seqs: must be positive, got ", seq));
    }
  }
  return absl::OkStatus();
}

template <typename Response>
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* ctx,
                                 const absl::StatusOr<Response>& r,
                                 Response* response) {
  auto* reactor = ctx->DefaultReactor();
  if (r.ok()) *response = *r;
  reactor->Finish(ToGrpc(r.status()));
  return reactor;
}

class PluginServiceImpl : public plugin::v1::PluginService::CallbackService {
 public:
  PluginServiceImpl(PluginHost* host, HostServices* services)
      : host_(host), services_(services) {}

  grpc::ServerUnaryReactor* ListPlugins(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::ListPluginsRequest* /*request*/,
      plugin::v1::ListPluginsResponse* response) override {
    bool internals = false;
    auto tenant = services_->TenantForCall(
        *ctx, absl::StrCat(kPluginService, "ListPlugins"), &internals);
    if (!tenant.ok()) {
      auto* reactor = ctx->DefaultReactor();
      reactor->Finish(ToGrpc(tenant.status()));
      return reactor;
    }
    for (auto& p : host_->ListPlugins()) {
      *response->add_plugins() = ForCaller(std::move(p), internals);
    }
    response->set_host_abi_major(RETAIN_PLUGIN_ABI_MAJOR);
    response->set_host_abi_minor(RETAIN_PLUGIN_ABI_MINOR);
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  grpc::ServerUnaryReactor* GetPlugin(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::GetPluginRequest* request,
      plugin::v1::Plugin* response) override {
    bool internals = false;
    auto tenant = services_->TenantForCall(
        *ctx, absl::StrCat(kPluginService, "GetPlugin"), &internals);
    if (!tenant.ok()) return Reply(ctx, tenant.status(), response);
    auto p = host_->GetPlugin(request->name());
    if (!p.ok()) return Reply(ctx, p.status(), response);
    return Reply(ctx, ForCaller(*p, internals), response);
  }
  grpc::ServerUnaryReactor* ResumePlugin(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::ResumePluginRequest* request,
      plugin::v1::Plugin* response) override {
    const std::string method = absl::StrCat(kPluginService, "ResumePlugin");
    bool internals = false;
    auto tenant = services_->TenantForCall(*ctx, method, &internals);
    if (!tenant.ok()) return Reply(ctx, tenant.status(), response);
    auto p = host_->ResumePlugin(request->name());
    services_->AuditCall(*ctx, method, "plugins/" + request->name(),
                         p.status());
    return Reply(ctx, p, response);
  }

  grpc::ServerUnaryReactor* ListDeadLetters(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::ListDeadLettersRequest* request,
      plugin::v1::ListDeadLettersResponse* response) override {
    using Response = plugin::v1::ListDeadLettersResponse;
    bool internals = false;
    auto scope = Scope(ctx, "ListDeadLetters", request->tenant(), &internals);
    if (!scope.ok()) return Finish<Response>(ctx, scope.status(), response);
    if (request->name().empty()) {
      return Finish<Response>(ctx, absl::InvalidArgumentError("name: required"),
                              response);
    }
    auto r =
        host_->ListDeadLetters(request->name(), *scope, request->page_size(),
                               request->page_token(), request->feed());
    if (r.ok() && !internals) {
      for (auto& d : *r->mutable_dead_letters()) d.clear_last_error();
    }
    return Finish(ctx, r, response);
  }
  grpc::ServerUnaryReactor* RetryDeadLetters(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::RetryDeadLettersRequest* request,
      plugin::v1::RetryDeadLettersResponse* response) override {
    using Response = plugin::v1::RetryDeadLettersResponse;
    const std::string method = absl::StrCat(kPluginService, "RetryDeadLetters");
    bool internals = false;
    auto scope = Scope(ctx, "RetryDeadLetters", request->tenant(), &internals);
    if (!scope.ok()) return Finish<Response>(ctx, scope.status(), response);
    if (absl::Status s =
            CheckSelection(request->name(), request->seqs(), request->all());
        !s.ok()) {
      return Finish<Response>(ctx, s, response);
    }
    auto* reactor = ctx->DefaultReactor();
    const std::vector<int64_t> seqs(request->seqs().begin(),
                                    request->seqs().end());
    host_->RetryDeadLetters(
        request->name(), *scope, seqs, request->all(),
        [this, ctx, reactor, response, method, internals,
         target = DeadLettersOf(request->name())](absl::StatusOr<Response> r) {
          services_->AuditCall(*ctx, method, target, r.status());
          if (r.ok()) {
            *response = std::move(*r);
            if (!internals) {
              for (auto& d : *response->mutable_failed()) d.clear_last_error();
            }
          }
          reactor->Finish(ToGrpc(r.status()));
        },
        request->feed());
    return reactor;
  }
  grpc::ServerUnaryReactor* DropDeadLetters(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::DropDeadLettersRequest* request,
      plugin::v1::DropDeadLettersResponse* response) override {
    using Response = plugin::v1::DropDeadLettersResponse;
    const std::string method = absl::StrCat(kPluginService, "DropDeadLetters");
    bool internals = false;
    auto scope = Scope(ctx, "DropDeadLetters", request->tenant(), &internals);
    if (!scope.ok()) return Finish<Response>(ctx, scope.status(), response);
    if (absl::Status s =
            CheckSelection(request->name(), request->seqs(), request->all());
        !s.ok()) {
      return Finish<Response>(ctx, s, response);
    }
    const std::vector<int64_t> seqs(request->seqs().begin(),
                                    request->seqs().end());
    auto r = host_->DropDeadLetters(request->name(), *scope, seqs,
                                    request->all(), request->feed());
    services_->AuditCall(*ctx, method, DeadLettersOf(request->name()),
                         r.status());
    return Finish(ctx, r, response);
  }

 private:
  // Authorizes the call and resolves the tenant its dead letters belong
  // to (DeadLetterScope).
  absl::StatusOr<std::string> Scope(grpc::CallbackServerContext* ctx,
                                    const char* rpc,
                                    const std::string& requested,
                                    bool* internals) {
    auto tenant = services_->TenantForCall(
        *ctx, absl::StrCat(kPluginService, rpc), internals);
    if (!tenant.ok()) return tenant.status();
    return DeadLetterScope(*tenant, *internals, requested);
  }
  static std::string DeadLettersOf(const std::string& plugin) {
    return absl::StrCat("plugins/", plugin, "/deadLetters");
  }
  static grpc::ServerUnaryReactor* Reply(
      grpc::CallbackServerContext* ctx,
      const absl::StatusOr<plugin::v1::Plugin>& p,
      plugin::v1::Plugin* response) {
    auto* reactor = ctx->DefaultReactor();
    if (p.ok()) *response = *p;
    reactor->Finish(ToGrpc(p.status()));
    return reactor;
  }
  PluginHost* host_;
  HostServices* services_;
};

}  // namespace

std::unique_ptr<grpc::CallbackGenericService> MakePluginMethodService(
    PluginHost* host, HostServices* services) {
  return std::make_unique<MethodService>(host, services);
}

std::unique_ptr<plugin::v1::PluginService::CallbackService> MakePluginService(
    PluginHost* host, HostServices* services) {
  return std::make_unique<PluginServiceImpl>(host, services);
}

}  // namespace retain::plugin_host
