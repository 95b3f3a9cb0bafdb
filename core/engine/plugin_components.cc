// Plugin health components in the model: the plugin host sets each
// plugin's latest answer for an account here, where every view (explained
// health, lists, the at-risk list, the watch, the portfolio report) combines
// it with the core components through one function
// (docs/decisions/0012-one-health-combination.md). Persisted, so views agree
// across a restart before any plugin is asked again.
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/engine/engine.h"
#include "core/store/tenant_key.h"

namespace retain::engine {
namespace {

constexpr char kNamespace[] = "_engine/plugin_components";

// The tenant's "<account_id>/<source>" (account ids cannot contain '/').
std::string Key(const std::string& tenant, const std::string& account_id,
                const std::string& source) {
  return store::TenantKey(tenant, absl::StrCat(account_id, "/", source));
}

bool ParseKey(const std::string& key, std::string* tenant,
              std::string* account_id, std::string* source) {
  std::string rest;
  if (!store::SplitTenantKey(key, tenant, &rest)) return false;
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return false;
  *account_id = rest.substr(0, slash);
  *source = rest.substr(slash + 1);
  return !account_id->empty() && !source->empty();
}

std::string Encode(const model::PluginComponent& c) {
  report::v1::HealthComponent p;
  p.set_name(c.name);
  p.set_source(c.source);
  p.set_weight(c.weight);
  p.set_score(c.score);
  p.set_has_data(c.has_data);
  p.set_explanation(c.explanation);
  for (const auto& [name, value] : c.inputs) {
    auto* in = p.add_inputs();
    in->set_name(name);
    in->set_value(value);
  }
  return absl::StrCat(absl::ToUnixMicros(c.observed_time), "\n",
                      p.SerializeAsString());
}

bool Decode(const std::string& value, model::PluginComponent* c) {
  size_t nl = value.find('\n');
  int64_t micros = 0;
  report::v1::HealthComponent p;
  if (nl == std::string::npos ||
      !absl::SimpleAtoi(value.substr(0, nl), &micros) ||
      !p.ParseFromString(value.substr(nl + 1))) {
    return false;
  }
  c->name = p.name();
  c->source = p.source();
  c->weight = p.weight();
  c->score = p.score();
  c->has_data = p.has_data();
  c->explanation = p.explanation();
  for (const auto& in : p.inputs())
    c->inputs.emplace_back(in.name(), in.value());
  c->observed_time = absl::FromUnixMicros(micros);
  return true;
}

// Keeps `list` sorted by source, at most one entry per source.
void Put(std::vector<model::PluginComponent>& list,
         model::PluginComponent component) {
  auto it = list.begin();
  while (it != list.end() && it->source < component.source) ++it;
  if (it != list.end() && it->source == component.source) {
    *it = std::move(component);
  } else {
    list.insert(it, std::move(component));
  }
}

bool SameAnswer(const model::PluginComponent& a,
                const model::PluginComponent& b) {
  return a.name == b.name && a.weight == b.weight && a.score == b.score &&
         a.has_data == b.has_data && a.explanation == b.explanation &&
         a.inputs == b.inputs;
}

}  // namespace

absl::Status Engine::SetPluginComponent(const std::string& tenant,
                                        const std::string& account_id,
                                        model::PluginComponent component) {
  {
    absl::ReaderMutexLock lock(&mu_);
    AccountEntry* e = FindAccount(tenant, account_id);
    if (!e) {
      return absl::NotFoundError(
          absl::StrCat("no account \"accounts/", account_id, "\""));
    }
    for (const auto& c : e->state.plugin_components) {
      // An unchanged answer keeps its first observation time, so past-dated
      // views stay put and nothing is written.
      if (c.source == component.source && SameAnswer(c, component)) {
        return absl::OkStatus();
      }
    }
  }
  absl::Status s = store_->KvApply(
      kNamespace,
      {{Key(tenant, account_id, component.source), Encode(component)}});
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    AccountEntry* e = FindAccount(tenant, account_id);
    if (!e) return absl::OkStatus();  // deleted meanwhile
    Put(e->state.plugin_components, std::move(component));
  }
  Rescore({{tenant, account_id}}, absl::Now());
  return absl::OkStatus();
}

absl::Status Engine::ClearPluginComponent(const std::string& tenant,
                                          const std::string& account_id,
                                          const std::string& source) {
  {
    absl::ReaderMutexLock lock(&mu_);
    AccountEntry* e = FindAccount(tenant, account_id);
    if (!e) return absl::OkStatus();
    bool present = false;
    for (const auto& c : e->state.plugin_components) {
      present = present || c.source == source;
    }
    if (!present) return absl::OkStatus();
  }
  store::KvOp del;
  del.key = Key(tenant, account_id, source);
  if (absl::Status s = store_->KvApply(kNamespace, {del}); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    AccountEntry* e = FindAccount(tenant, account_id);
    if (!e) return absl::OkStatus();
    auto& list = e->state.plugin_components;
    list.erase(
        std::remove_if(list.begin(), list.end(),
                       [&](const auto& c) { return c.source == source; }),
        list.end());
  }
  Rescore({{tenant, account_id}}, absl::Now());
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>>
Engine::AccountsWithPluginComponent(const std::string& source) {
  std::vector<std::pair<std::string, std::string>> out;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [tenant, ts] : tenants_) {
    for (const auto& [id, entry] : ts.accounts) {
      for (const auto& c : entry->state.plugin_components) {
        if (c.source == source) out.emplace_back(tenant, id);
      }
    }
  }
  return out;
}

absl::Status Engine::KeepPluginComponentSources(
    const std::set<std::string>& sources) {
  std::vector<store::KvOp> deletes;
  std::vector<AccountKey> touched;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [tenant, ts] : tenants_) {
      for (auto& [id, entry] : ts.accounts) {
        auto& list = entry->state.plugin_components;
        size_t before = list.size();
        for (const auto& c : list) {
          if (sources.count(c.source)) continue;
          store::KvOp del;
          del.key = Key(tenant, id, c.source);
          deletes.push_back(std::move(del));
        }
        list.erase(std::remove_if(
                       list.begin(), list.end(),
                       [&](const auto& c) { return !sources.count(c.source); }),
                   list.end());
        if (list.size() != before) touched.emplace_back(tenant, id);
      }
    }
  }
  if (!deletes.empty()) {
    if (absl::Status s = store_->KvApply(kNamespace, deletes); !s.ok()) {
      return s;
    }
  }
  if (!touched.empty()) Rescore(touched, absl::Now());
  return absl::OkStatus();
}

absl::Status Engine::ForgetPluginComponents(const std::string& tenant,
                                            const AccountEntry& entry) {
  std::vector<store::KvOp> deletes;
  for (const auto& c : entry.state.plugin_components) {
    store::KvOp del;
    del.key = Key(tenant, entry.state.id, c.source);
    deletes.push_back(std::move(del));
  }
  if (deletes.empty()) return absl::OkStatus();
  return store_->KvApply(kNamespace, deletes);
}

absl::Status Engine::LoadPluginComponents() {
  std::string after;
  std::vector<store::KvOp> orphans;
  for (;;) {
    auto rows = store_->KvScan(kNamespace, "", after, 1000);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    for (const auto& [key, value] : *rows) {
      after = key;
      std::string tenant, id, source;
      model::PluginComponent c;
      AccountEntry* e = nullptr;
      if (ParseKey(key, &tenant, &id, &source) && Decode(value, &c)) {
        e = FindAccount(tenant, id);
      }
      if (e == nullptr) {
        // Its account was deleted (or the row is unreadable): drop it.
        store::KvOp del;
        del.key = key;
        orphans.push_back(std::move(del));
        continue;
      }
      Put(e->state.plugin_components, std::move(c));
    }
  }
  if (orphans.empty()) return absl::OkStatus();
  return store_->KvApply(kNamespace, orphans);
}

}  // namespace retain::engine
