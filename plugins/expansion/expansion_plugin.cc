// Expansion pipeline (see expansion.proto and plugins/README.md).
//
// State (host KV, per tenant): "opp/<id>" -> Opportunity, "next_id" -> n,
// "suggested/<account_id>" -> id of the open usage suggestion.
// Config: stage_probability.{identified,qualified,proposal,negotiation}
// (0.1, 0.25, 0.5, 0.75), seat_threshold (0.9 of licensed seats active),
// seat_growth (0.2 of seats suggested), suggestion_close_days (60),
// suggestion_max_age_days (30; 0: no limit), record_arr_on_won (true).
//
// A won opportunity's EXPANSION signal carries the commercial reference
// "expansion/<opportunity id>": a billing system that quotes it when it
// invoices the expansion adds nothing more to ARR (the server applies one
// commercial signal per reference and account). Where billing is the
// source of truth for ARR, record_arr_on_won: false records no signal on a
// win at all (docs/decisions/0031-one-source-per-arr-event.md).
//
// Suggestions are made from the account's latest usage snapshot only, and
// only while it is recent: when the plugin is installed on a server with a
// year of history, delivery replays every old snapshot, and a CS team wants
// one suggestion per account that reflects today's usage, not one per week
// of last year. Dates (creation, expected close) come from the host clock
// at creation, never from the signal's occur time. Accounts without ARR or
// seats, and churned accounts, get no suggestion: there is nothing to
// expand, and an amount would be made up.
//
// Concurrency: handlers run at once and take no lock over the KV; each
// change is a Host::Update (compare-and-set, retried when another writer
// came first), and "next_id" numbers opportunities so no two get one id.
#include <cmath>
#include <map>
#include <string>

#include "plugins/common/plugin_util.h"
#include "retain/plugins/expansion/v1/expansion.pb.h"
#include "retain_plugin.h"

namespace retain::plugins::expansion {
namespace {

namespace pb = ::retain::plugins::expansion::v1;
using sdk::Call;
using sdk::Signal;
using sdk::SignalKind;

constexpr char kService[] = "/retain.plugins.expansion.v1.ExpansionService/";

bool IsOpen(pb::Stage s) { return s != pb::STAGE_WON && s != pb::STAGE_LOST; }

// The commercial reference of a won opportunity's expansion, for billing
// to quote.
std::string ReferenceOf(const std::string& opportunity_id) {
  return "expansion/" + opportunity_id;
}

// retain.account.v1.LifecycleStage.LIFECYCLE_STAGE_CHURNED (the SDK carries
// the stage as a plain number).
constexpr int32_t kLifecycleChurned = 7;

// Opportunity.source values.
constexpr char kSourceManual[] = "manual";
constexpr char kSourceUsage[] = "usage";

class ExpansionPlugin : public sdk::Plugin {
 public:
  static constexpr uint32_t kRequiredHostFeatures =
      sdk::host_feature::kVersionedKv;

  Status Init(sdk::Setup& setup) override {
    const auto& cfg = setup.config();
    prob_[pb::STAGE_IDENTIFIED] =
        cfg.GetDouble("stage_probability.identified", 0.1);
    prob_[pb::STAGE_QUALIFIED] =
        cfg.GetDouble("stage_probability.qualified", 0.25);
    prob_[pb::STAGE_PROPOSAL] =
        cfg.GetDouble("stage_probability.proposal", 0.5);
    prob_[pb::STAGE_NEGOTIATION] =
        cfg.GetDouble("stage_probability.negotiation", 0.75);
    prob_[pb::STAGE_WON] = 1;
    prob_[pb::STAGE_LOST] = 0;
    seat_threshold_ = cfg.GetDouble("seat_threshold", 0.9);
    seat_growth_ = cfg.GetDouble("seat_growth", 0.2);
    close_days_ = cfg.GetInt("suggestion_close_days", 60);
    max_age_days_ = cfg.GetInt("suggestion_max_age_days", 30);
    record_arr_on_won_ = cfg.GetBool("record_arr_on_won", true);
    if (close_days_ < 0 || max_age_days_ < 0)
      return sdk::InvalidArgument(
          "suggestion_close_days and suggestion_max_age_days must be >= 0");
    for (const auto& [stage, p] : prob_) {
      if (p < 0 || p > 1)
        return sdk::InvalidArgument("stage probabilities must be within 0-1");
    }

    setup.Subscribe(SignalKind::kUsage);
    std::string s = kService;
    setup.HandleProto<pb::CreateOpportunityRequest, pb::Opportunity>(
        s + "CreateOpportunity",
        [this](const Call& c, const auto& req, auto* resp) {
          return Create(c.tenant, req, kSourceManual, resp);
        });
    setup.HandleProto<pb::GetOpportunityRequest, pb::Opportunity>(
        s + "GetOpportunity",
        [this](const Call& c, const auto& req, auto* resp) {
          auto o = LoadMessage<pb::Opportunity>(host(), c.tenant,
                                                "opp/" + req.opportunity_id());
          if (!o.ok()) return o.status();
          if (!*o)
            return sdk::NotFound("no opportunity " + req.opportunity_id());
          *resp = Flag(c.tenant, **o);
          return Status();
        });
    setup.HandleProto<pb::ListOpportunitiesRequest,
                      pb::ListOpportunitiesResponse>(
        s + "ListOpportunities",
        [this](const Call& c, const auto& req, auto* resp) {
          if (!req.source().empty() && req.source() != kSourceManual &&
              req.source() != kSourceUsage) {
            return sdk::InvalidArgument(
                "source must be \"manual\", \"usage\" or empty");
          }
          // Unpaged (every match) when page_size is 0, as before paging.
          auto size = PageSize(req.page_size(), kUnlimitedPage);
          if (!size.ok()) return size.status();
          std::vector<pb::Opportunity> page;
          std::string next;
          Status st = LoadPage<pb::Opportunity>(
              host(), c.tenant, "opp/", *size, req.page_token(),
              [&](const pb::Opportunity& o) {
                return (req.account_id().empty() ||
                        o.account_id() == req.account_id()) &&
                       (req.include_closed() || IsOpen(o.stage())) &&
                       (req.source().empty() || o.source() == req.source());
              },
              &page, &next);
          if (!st.ok()) return st;
          for (const auto& o : page)
            *resp->add_opportunities() = Flag(c.tenant, o);
          resp->set_next_page_token(next);
          return Status();
        });
    setup.HandleProto<pb::UpdateStageRequest, pb::Opportunity>(
        s + "UpdateStage", [this](const Call& c, const auto& req, auto* resp) {
          return UpdateStage(c.tenant, req, resp);
        });
    setup.HandleProto<pb::GetForecastRequest, pb::Forecast>(
        s + "GetForecast", [this](const Call& c, const auto&, auto* resp) {
          return Forecast(c.tenant, "", resp);
        });
    setup.ProvideReportSection();
    return Status();
  }

  // Seat utilisation over the threshold on the account's latest, recent
  // usage snapshot suggests a seats opportunity (one open suggestion per
  // account; the id comes from the signal, so a redelivered signal changes
  // nothing).
  Status OnSignal(const Signal& s) override {
    if (s.kind != SignalKind::kUsage) return Status();
    const int64_t now = host().NowMicros();
    if (max_age_days_ > 0 &&
        s.occur_micros < now - max_age_days_ * sdk::kMicrosPerDay) {
      return Status();  // too old to say anything about today's usage
    }
    // Catching up on history: a later snapshot is already durable, and it
    // (not this one) says how the account uses its seats now.
    auto newer = host().ListSignals(s.tenant, s.account_id, SignalKind::kUsage,
                                    s.occur_micros + 1, 0, 1);
    if (!newer.ok())
      return newer.status().code() == sdk::Code::kNotFound ? Status()
                                                           : newer.status();
    if (!newer->empty()) return Status();
    auto account = host().GetAccount(s.tenant, s.account_id);
    if (!account.ok())
      return account.status().code() == sdk::Code::kNotFound ? Status()
                                                             : account.status();
    if (account->licensed_seats <= 0 || !(account->arr > 0) ||
        account->lifecycle_stage == kLifecycleChurned) {
      return Status();  // nothing to expand, no price per seat
    }
    double utilisation =
        static_cast<double>(s.usage.active_users) / account->licensed_seats;
    if (utilisation < seat_threshold_) return Status();
    auto open = host().KvGet(s.tenant, "suggested/" + s.account_id);
    if (!open.ok()) return open.status();
    if (*open) {
      auto o = LoadMessage<pb::Opportunity>(host(), s.tenant, "opp/" + **open);
      if (!o.ok()) return o.status();
      if (*o && IsOpen((*o)->stage())) return Status();
    }
    int seats = std::max(
        1, static_cast<int>(std::ceil(account->licensed_seats * seat_growth_)));
    double per_seat = account->arr / account->licensed_seats;
    double amount = std::round(seats * per_seat * 100) / 100;
    if (!(amount > 0)) return Status();
    pb::CreateOpportunityRequest req;
    req.set_opportunity_id("usage-" + s.account_id + "-" +
                           std::to_string(s.seq));
    req.set_account_id(s.account_id);
    req.set_type(pb::OPPORTUNITY_TYPE_SEATS);
    req.set_amount(amount);
    *req.mutable_close_time() =
        TimestampOf(now + close_days_ * sdk::kMicrosPerDay);
    req.set_description(std::to_string(s.usage.active_users) + " of " +
                        std::to_string(account->licensed_seats) +
                        " seats active (" + FormatDouble(utilisation * 100, 0) +
                        "%) on " + FormatDate(s.occur_micros) + ": suggest " +
                        std::to_string(seats) + " more seats at " +
                        FormatDouble(per_seat) + " ARR per seat");
    pb::Opportunity created;
    Status st = Create(s.tenant, req, kSourceUsage, &created);
    if (!st.ok()) return st;
    return host().KvPut(s.tenant, "suggested/" + s.account_id,
                        created.opportunity_id());
  }

  std::optional<sdk::Section> ReportSection(
      const std::string& tenant, const std::string& account_id) override {
    pb::Forecast f;
    if (!Forecast(tenant, account_id, &f).ok()) return std::nullopt;
    if (f.open_count() + f.won_count() + f.lost_count() == 0)
      return std::nullopt;
    sdk::Section section;
    section.title = "Expansion pipeline";
    section.fields = {
        {"open_opportunities", std::to_string(f.open_count())},
        {"open_amount", FormatDouble(f.open_amount())},
        {"weighted_forecast", FormatDouble(f.weighted_pipeline())},
        {"won_amount", FormatDouble(f.won_amount())}};
    if (f.flagged_red_count() > 0) {
      section.fields.push_back(
          {"flag", "account is red: fix health before expanding"});
    }
    return section;
  }

 private:
  // The configured probability of a stage (0 for a stage it does not know).
  double DefaultProbability(int stage) const {
    auto it = prob_.find(stage);
    return it == prob_.end() ? 0 : it->second;
  }

  pb::Opportunity Flag(const std::string& tenant, pb::Opportunity o) {
    auto account = host().GetAccount(tenant, o.account_id());
    o.set_flagged_red(IsOpen(o.stage()) && account.ok() &&
                      account->health_band == sdk::band::kRed);
    return o;
  }

  Status Create(const std::string& tenant,
                const pb::CreateOpportunityRequest& req,
                const std::string& source, pb::Opportunity* out) {
    if (req.account_id().empty())
      return sdk::InvalidArgument("account_id is required");
    if (!(req.amount() > 0)) return sdk::InvalidArgument("amount must be > 0");
    if (req.type() == pb::OPPORTUNITY_TYPE_UNSPECIFIED)
      return sdk::InvalidArgument("type is required");
    if (req.probability() < 0 || req.probability() > 1)
      return sdk::InvalidArgument("probability must be 0-1");
    pb::Stage stage = req.stage() == pb::STAGE_UNSPECIFIED
                          ? pb::STAGE_IDENTIFIED
                          : req.stage();
    if (!IsOpen(stage))
      return sdk::InvalidArgument("create opportunities open, then move them");
    auto account = host().GetAccount(tenant, req.account_id());
    if (!account.ok()) return account.status();
    // Without an id, "next_id" numbers it; with one, the opportunity must
    // not exist yet (else the create is a no-op answering it).
    const bool numbered = req.opportunity_id().empty();
    const std::string read =
        numbered ? "next_id" : "opp/" + req.opportunity_id();
    pb::Opportunity o;
    bool existed = false;
    Status s = host().Update(tenant, {read}, [&](sdk::KvUpdate& u) {
      std::string id = req.opportunity_id();
      if (numbered) {
        auto n = TakeNext(u, "next_id");
        if (!n.ok()) return n.status();
        id = "opp-" + std::to_string(*n);
      } else {
        auto existing = LoadMessage<pb::Opportunity>(u, read);
        if (!existing.ok()) return existing.status();
        existed = existing->has_value();
        if (existed) {  // idempotent create
          o = **existing;
          return Status();
        }
      }
      o = pb::Opportunity();
      o.set_opportunity_id(id);
      o.set_account_id(req.account_id());
      o.set_type(req.type());
      o.set_amount(req.amount());
      o.set_stage(stage);
      o.set_probability(req.probability() > 0 ? req.probability()
                                              : DefaultProbability(stage));
      if (req.has_close_time()) *o.mutable_close_time() = req.close_time();
      o.set_description(req.description());
      o.set_source(source);
      *o.mutable_create_time() = TimestampOf(host().NowMicros());
      u.Apply(Put("opp/" + id, o));
      return Status();
    });
    if (!s.ok()) return s;
    *out = Flag(tenant, o);
    if (existed) return Status();
    const std::string& id = o.opportunity_id();
    if (out->flagged_red()) {
      host().PublishAlert(
          tenant, o.account_id(), "expansion.red_account",
          "expansion opportunity " + id + " is on a red account",
          sdk::AlertSeverity::kWarning);
    }
    return Status();
  }

  Status UpdateStage(const std::string& tenant,
                     const pb::UpdateStageRequest& req, pb::Opportunity* out) {
    if (req.stage() == pb::STAGE_UNSPECIFIED)
      return sdk::InvalidArgument("stage is required");
    if (req.probability() < 0 || req.probability() > 1)
      return sdk::InvalidArgument("probability must be 0-1");
    const std::string key = "opp/" + req.opportunity_id();
    pb::Opportunity o;
    bool won_now = false;
    Status st = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      auto loaded = LoadMessage<pb::Opportunity>(u, key);
      if (!loaded.ok()) return loaded.status();
      if (!*loaded)
        return sdk::NotFound("no opportunity " + req.opportunity_id());
      o = **loaded;
      won_now = false;
      if (!IsOpen(o.stage()) && o.stage() != req.stage()) {
        return sdk::FailedPrecondition("opportunity is closed (" +
                                       pb::Stage_Name(o.stage()) + ")");
      }
      if (o.stage() != req.stage()) {
        auto* h = o.add_history();
        h->set_from(o.stage());
        h->set_to(req.stage());
        *h->mutable_change_time() = TimestampOf(host().NowMicros());
        won_now = req.stage() == pb::STAGE_WON;
      }
      o.set_stage(req.stage());
      o.set_probability(req.probability() > 0
                            ? req.probability()
                            : DefaultProbability(req.stage()));
      if (!IsOpen(o.stage()) && !o.has_close_time())
        *o.mutable_close_time() = TimestampOf(host().NowMicros());
      u.Apply(Put(key, o));
      return Status();
    });
    if (!st.ok()) return st;
    if (record_arr_on_won_ && (won_now || o.stage() == pb::STAGE_WON)) {
      // Idempotent by signal id: a retried WON records one expansion; by
      // reference, billing's record of the same expansion adds nothing.
      Signal sig;
      sig.signal_id = "expansion-" + o.opportunity_id() + "-won";
      sig.account_id = o.account_id();
      sig.occur_micros = host().NowMicros();
      sig.kind = SignalKind::kCommercial;
      sig.commercial.kind = sdk::commercial_kind::kExpansion;
      sig.commercial.arr_delta = o.amount();
      sig.commercial.reason =
          "expansion opportunity " + o.opportunity_id() + " won";
      sig.commercial.reference = ReferenceOf(o.opportunity_id());
      Status s = host().RecordSignals(tenant, {sig});
      if (!s.ok()) return s;
    }
    *out = Flag(tenant, o);
    return Status();
  }

  Status Forecast(const std::string& tenant, const std::string& account_id,
                  pb::Forecast* f) {
    auto all = LoadAll<pb::Opportunity>(host(), tenant, "opp/");
    if (!all.ok()) return all.status();
    std::map<int, pb::StageTotal> by_stage;
    std::map<std::string, bool> red;
    for (const auto& o : *all) {
      if (!account_id.empty() && o.account_id() != account_id) continue;
      auto& t = by_stage[o.stage()];
      t.set_stage(o.stage());
      t.set_count(t.count() + 1);
      t.set_amount(t.amount() + o.amount());
      if (o.stage() == pb::STAGE_WON) {
        f->set_won_count(f->won_count() + 1);
        f->set_won_amount(f->won_amount() + o.amount());
      } else if (o.stage() == pb::STAGE_LOST) {
        f->set_lost_count(f->lost_count() + 1);
      } else {
        double w = o.amount() * o.probability();
        t.set_weighted(t.weighted() + w);
        f->set_weighted_pipeline(f->weighted_pipeline() + w);
        f->set_open_amount(f->open_amount() + o.amount());
        f->set_open_count(f->open_count() + 1);
        if (!red.count(o.account_id())) {
          auto a = host().GetAccount(tenant, o.account_id());
          red[o.account_id()] = a.ok() && a->health_band == sdk::band::kRed;
        }
        if (red[o.account_id()]) {
          f->set_flagged_red_count(f->flagged_red_count() + 1);
          f->set_flagged_red_amount(f->flagged_red_amount() + o.amount());
        }
      }
    }
    for (auto& [stage, t] : by_stage) *f->add_by_stage() = t;
    return Status();
  }

  std::map<int, double> prob_;  // read-only after Init
  double seat_threshold_ = 0.9;
  double seat_growth_ = 0.2;
  int64_t close_days_ = 60;
  int64_t max_age_days_ = 30;
  bool record_arr_on_won_ = true;
};

}  // namespace
}  // namespace retain::plugins::expansion

RETAIN_PLUGIN(retain::plugins::expansion::ExpansionPlugin, "expansion", "1.0.0")
