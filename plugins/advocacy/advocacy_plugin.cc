// Advocacy and referrals (see advocacy.proto and plugins/README.md).
//
// State (host KV, per tenant): "promoter/<account>/<respondent>" ->
// Champion, "ref/<id>", "cs/<id>", "referral/<id>", "next/<kind>". The
// List methods page through "ref/", "cs/" and "referral/" in key order.
// Config: max_asks_per_year (3), cooldown_days (60),
// champion_window_days (365), allow_red_references (false).
//
// Concurrency: handlers run at once and take no lock over the KV; each
// change is a Host::Update (compare-and-set, retried when another writer
// came first), and the "next/<kind>" counters number what is created.
#include <map>
#include <string>
#include <vector>

#include "plugins/common/plugin_util.h"
#include "retain/plugins/advocacy/v1/advocacy.pb.h"
#include "retain_plugin.h"

namespace retain::plugins::advocacy {
namespace {

namespace pb = ::retain::plugins::advocacy::v1;
using sdk::Call;
using sdk::Signal;
using sdk::SignalKind;

constexpr char kService[] = "/retain.plugins.advocacy.v1.AdvocacyService/";

class AdvocacyPlugin : public sdk::Plugin {
 public:
  static constexpr uint32_t kRequiredHostFeatures =
      sdk::host_feature::kVersionedKv;

  Status Init(sdk::Setup& setup) override {
    const auto& cfg = setup.config();
    max_asks_ = cfg.GetInt("max_asks_per_year", 3);
    cooldown_days_ = cfg.GetInt("cooldown_days", 60);
    window_days_ = cfg.GetInt("champion_window_days", 365);
    allow_red_ = cfg.GetBool("allow_red_references", false);
    setup.Subscribe(SignalKind::kSurvey);
    std::string s = kService;
    setup.HandleProto<pb::ListChampionsRequest, pb::ListChampionsResponse>(
        s + "ListChampions",
        [this](const Call& c, const auto& req, auto* resp) {
          return Champions(c.tenant, req.account_id(), resp);
        });
    setup.HandleProto<pb::RequestReferenceRequest, pb::ReferenceRequest>(
        s + "RequestReference",
        [this](const Call& c, const auto& req, auto* resp) {
          return RequestReference(c.tenant, req, resp);
        });
    setup.HandleProto<pb::UpdateReferenceRequest, pb::ReferenceRequest>(
        s + "UpdateReference",
        [this](const Call& c, const auto& req, auto* resp) {
          const std::string key = "ref/" + req.reference_id();
          return host().Update(c.tenant, {key}, [&](sdk::KvUpdate& u) {
            auto r = LoadMessage<pb::ReferenceRequest>(u, key);
            if (!r.ok()) return r.status();
            if (!*r) {
              return sdk::NotFound("no reference request " +
                                   req.reference_id());
            }
            if (req.status() == pb::REFERENCE_STATUS_UNSPECIFIED)
              return sdk::InvalidArgument("status is required");
            (*r)->set_status(req.status());
            u.Apply(Put(key, **r));
            *resp = **r;
            return Status();
          });
        });
    setup.HandleProto<pb::CreateCaseStudyRequest, pb::CaseStudy>(
        s + "CreateCaseStudy",
        [this](const Call& c, const auto& req, auto* resp) {
          if (req.title().empty())
            return sdk::InvalidArgument("title is required");
          auto account = host().GetAccount(c.tenant, req.account_id());
          if (!account.ok()) return account.status();
          return host().Update(c.tenant, {"next/cs"}, [&](sdk::KvUpdate& u) {
            auto n = TakeNext(u, "next/cs");
            if (!n.ok()) return n.status();
            pb::CaseStudy cs;
            cs.set_case_study_id("cs" + std::to_string(*n));
            cs.set_account_id(req.account_id());
            cs.set_title(req.title());
            cs.set_stage(pb::CASE_STUDY_STAGE_PROPOSED);
            *cs.mutable_create_time() = TimestampOf(host().NowMicros());
            u.Apply(Put("cs/" + cs.case_study_id(), cs));
            *resp = cs;
            return Status();
          });
        });
    setup.HandleProto<pb::AdvanceCaseStudyRequest, pb::CaseStudy>(
        s + "AdvanceCaseStudy",
        [this](const Call& c, const auto& req, auto* resp) {
          const std::string key = "cs/" + req.case_study_id();
          return host().Update(c.tenant, {key}, [&](sdk::KvUpdate& u) {
            auto cs = LoadMessage<pb::CaseStudy>(u, key);
            if (!cs.ok()) return cs.status();
            if (!*cs)
              return sdk::NotFound("no case study " + req.case_study_id());
            pb::CaseStudyStage from = (*cs)->stage(), to = req.stage();
            bool open = from != pb::CASE_STUDY_STAGE_PUBLISHED &&
                        from != pb::CASE_STUDY_STAGE_DECLINED;
            if (!(open && (to == pb::CASE_STUDY_STAGE_DECLINED ||
                           static_cast<int>(to) == from + 1))) {
              return sdk::FailedPrecondition("cannot move a case study from " +
                                             pb::CaseStudyStage_Name(from) +
                                             " to " +
                                             pb::CaseStudyStage_Name(to));
            }
            (*cs)->set_stage(to);
            if (to == pb::CASE_STUDY_STAGE_PUBLISHED)
              *(*cs)->mutable_publish_time() = TimestampOf(host().NowMicros());
            u.Apply(Put(key, **cs));
            *resp = **cs;
            return Status();
          });
        });
    setup.HandleProto<pb::CreateReferralRequest, pb::Referral>(
        s + "CreateReferral",
        [this](const Call& c, const auto& req, auto* resp) {
          if (req.prospect().empty())
            return sdk::InvalidArgument("prospect is required");
          auto account = host().GetAccount(c.tenant, req.account_id());
          if (!account.ok()) return account.status();
          return host().Update(
              c.tenant, {"next/referral"}, [&](sdk::KvUpdate& u) {
                auto n = TakeNext(u, "next/referral");
                if (!n.ok()) return n.status();
                pb::Referral r;
                r.set_referral_id("r" + std::to_string(*n));
                r.set_account_id(req.account_id());
                r.set_advocate_contact(req.advocate_contact());
                r.set_prospect(req.prospect());
                r.set_estimated_arr(req.estimated_arr());
                r.set_status(pb::REFERRAL_STATUS_OPEN);
                *r.mutable_create_time() = TimestampOf(host().NowMicros());
                u.Apply(Put("referral/" + r.referral_id(), r));
                *resp = r;
                return Status();
              });
        });
    setup.HandleProto<pb::UpdateReferralRequest, pb::Referral>(
        s + "UpdateReferral",
        [this](const Call& c, const auto& req, auto* resp) {
          return UpdateReferral(c.tenant, req, resp);
        });
    setup.HandleProto<pb::GetFlywheelRequest, pb::Flywheel>(
        s + "GetFlywheel", [this](const Call& c, const auto&, auto* resp) {
          return Flywheel(c.tenant, "", resp);
        });
    setup.HandleProto<pb::ListReferenceRequestsRequest,
                      pb::ListReferenceRequestsResponse>(
        s + "ListReferenceRequests",
        [this](const Call& c, const auto& req, auto* resp) {
          std::vector<pb::ReferenceRequest> page;
          Status st = List<pb::ReferenceRequest>(
              c.tenant, "ref/", req, &page, resp->mutable_next_page_token(),
              [&](const pb::ReferenceRequest& r) {
                return Matches(req, r.account_id()) &&
                       (req.status() == pb::REFERENCE_STATUS_UNSPECIFIED ||
                        r.status() == req.status());
              });
          for (auto& r : page) *resp->add_reference_requests() = std::move(r);
          return st;
        });
    setup.HandleProto<pb::ListCaseStudiesRequest, pb::ListCaseStudiesResponse>(
        s + "ListCaseStudies",
        [this](const Call& c, const auto& req, auto* resp) {
          std::vector<pb::CaseStudy> page;
          Status st = List<pb::CaseStudy>(
              c.tenant, "cs/", req, &page, resp->mutable_next_page_token(),
              [&](const pb::CaseStudy& cs) {
                return Matches(req, cs.account_id()) &&
                       (req.stage() == pb::CASE_STUDY_STAGE_UNSPECIFIED ||
                        cs.stage() == req.stage());
              });
          for (auto& cs : page) *resp->add_case_studies() = std::move(cs);
          return st;
        });
    setup.HandleProto<pb::ListReferralsRequest, pb::ListReferralsResponse>(
        s + "ListReferrals",
        [this](const Call& c, const auto& req, auto* resp) {
          std::vector<pb::Referral> page;
          Status st = List<pb::Referral>(
              c.tenant, "referral/", req, &page,
              resp->mutable_next_page_token(), [&](const pb::Referral& r) {
                return Matches(req, r.account_id()) &&
                       (req.status() == pb::REFERRAL_STATUS_UNSPECIFIED ||
                        r.status() == req.status());
              });
          for (auto& r : page) *resp->add_referrals() = std::move(r);
          return st;
        });
    setup.ProvideReportSection();
    return Status();
  }

  // NPS promoters are remembered (latest answer per respondent wins, so a
  // promoter who turns detractor is dropped).
  Status OnSignal(const Signal& s) override {
    if (s.kind != SignalKind::kSurvey ||
        s.survey.kind != sdk::survey_kind::kNps)
      return Status();
    std::string who =
        s.survey.respondent.empty() ? "(anonymous)" : s.survey.respondent;
    std::string key = "promoter/" + s.account_id + "/" + who;
    if (s.survey.score < 9)
      return host().KvApply(s.tenant, {{key, std::nullopt}});
    pb::Champion c;
    c.set_account_id(s.account_id);
    c.set_contact(who);
    c.set_source("nps");
    c.set_nps_score(s.survey.score);
    *c.mutable_since_time() = TimestampOf(s.occur_micros);
    return host().KvApply(s.tenant, {Put(key, c)});
  }

  std::optional<sdk::Section> ReportSection(
      const std::string& tenant, const std::string& account_id) override {
    pb::Flywheel f;
    if (!Flywheel(tenant, account_id, &f).ok()) return std::nullopt;
    if (f.promoters() + f.references_requested() +
            f.case_studies_in_pipeline() + f.case_studies_published() +
            f.referrals() ==
        0) {
      return std::nullopt;
    }
    sdk::Section section;
    section.title = "Advocacy";
    section.fields = {
        {"champions", std::to_string(f.champions())},
        {"promoters", std::to_string(f.promoters())},
        {"reference_asks_last_year",
         std::to_string(AsksInYear(tenant, account_id))},
        {"case_studies_published", std::to_string(f.case_studies_published())},
        {"referrals", std::to_string(f.referrals())},
        {"attributed_arr", FormatDouble(f.attributed_arr())}};
    return section;
  }

 private:
  template <typename Req>
  static bool Matches(const Req& req, const std::string& account_id) {
    return req.account_id().empty() || req.account_id() == account_id;
  }

  // One page of the messages under prefix that keep accepts (paging as in
  // advocacy.proto).
  template <typename M, typename Req, typename Keep>
  Status List(const std::string& tenant, const std::string& prefix,
              const Req& req, std::vector<M>* page, std::string* next,
              Keep keep) {
    auto size = PageSize(req.page_size());
    if (!size.ok()) return size.status();
    return LoadPage<M>(host(), tenant, prefix, *size, req.page_token(), keep,
                       page, next);
  }

  Status Champions(const std::string& tenant, const std::string& account_id,
                   pb::ListChampionsResponse* out) {
    auto promoters = LoadAll<pb::Champion>(
        host(), tenant,
        "promoter/" + (account_id.empty() ? "" : account_id + "/"));
    if (!promoters.ok()) return promoters.status();
    int64_t since = host().NowMicros() - window_days_ * sdk::kMicrosPerDay;
    std::map<std::string, std::optional<sdk::Account>> accounts;
    auto green = [&](const std::string& id) -> const sdk::Account* {
      if (!accounts.count(id)) {
        auto a = host().GetAccount(tenant, id);
        accounts[id] = a.ok() ? std::optional<sdk::Account>(*a) : std::nullopt;
      }
      const auto& a = accounts[id];
      return (a && a->health_band == sdk::band::kGreen) ? &*a : nullptr;
    };
    for (const auto& p : *promoters) {
      if (MicrosOf(p.since_time()) < since || !green(p.account_id())) continue;
      *out->add_champions() = p;
    }
    // Contacts marked champion on the account (green accounts only). Over
    // the whole tenant, every account is looked at, not only those with a
    // recent promoter: a champion a CSM names needs no survey answer.
    std::vector<std::string> ids;
    if (!account_id.empty()) {
      ids.push_back(account_id);
    } else {
      std::string token;
      do {
        std::string next;
        auto page = host().ListAccounts(tenant, 1000, token, &next);
        if (!page.ok()) return page.status();
        for (auto& a : *page) {
          ids.push_back(a.id);
          accounts[a.id] = std::move(a);
        }
        token = next;
      } while (!token.empty());
    }
    for (const auto& id : ids) {
      const sdk::Account* a = green(id);
      if (!a) continue;
      for (const auto& contact : a->contacts) {
        if (!contact.champion) continue;
        pb::Champion c;
        c.set_account_id(id);
        c.set_contact(contact.email.empty() ? contact.display_name
                                            : contact.email);
        c.set_source("contact");
        *out->add_champions() = c;
      }
    }
    return Status();
  }

  int AsksInYear(const std::string& tenant, const std::string& account_id,
                 int64_t* last = nullptr) {
    auto refs = LoadAll<pb::ReferenceRequest>(host(), tenant, "ref/");
    if (!refs.ok()) return 0;
    int64_t year_ago = host().NowMicros() - 365 * sdk::kMicrosPerDay;
    int n = 0;
    for (const auto& r : *refs) {
      if (r.account_id() != account_id) continue;
      int64_t t = MicrosOf(r.request_time());
      if (last) *last = std::max(*last, t);
      if (t >= year_ago) ++n;
    }
    return n;
  }

  Status RequestReference(const std::string& tenant,
                          const pb::RequestReferenceRequest& req,
                          pb::ReferenceRequest* out) {
    auto account = host().GetAccount(tenant, req.account_id());
    if (!account.ok()) return account.status();
    if (!allow_red_ && account->health_band == sdk::band::kRed) {
      return sdk::FailedPrecondition("account " + req.account_id() +
                                     " is red: do not ask it for a reference");
    }
    const int64_t now = host().NowMicros();
    // The limits count every request of the account; each new one bumps
    // "next/ref", so reading it makes the count hold: when another request
    // lands between this count and this write, the write is refused and
    // the count taken again.
    return host().Update(tenant, {"next/ref"}, [&](sdk::KvUpdate& u) {
      int64_t last = 0;
      int asks = AsksInYear(tenant, req.account_id(), &last);
      if (asks >= max_asks_) {
        return sdk::FailedPrecondition("account " + req.account_id() +
                                       " was asked " + std::to_string(asks) +
                                       " times in the last year (limit " +
                                       std::to_string(max_asks_) + ")");
      }
      if (last > 0 && now < last + cooldown_days_ * sdk::kMicrosPerDay) {
        return sdk::FailedPrecondition(
            "account " + req.account_id() + " is in its cool-down until " +
            FormatDate(last + cooldown_days_ * sdk::kMicrosPerDay));
      }
      auto n = TakeNext(u, "next/ref");
      if (!n.ok()) return n.status();
      pb::ReferenceRequest r;
      r.set_reference_id("ref" + std::to_string(*n));
      r.set_account_id(req.account_id());
      r.set_contact(req.contact());
      r.set_purpose(req.purpose());
      r.set_requested_by(req.requested_by());
      r.set_status(pb::REFERENCE_STATUS_REQUESTED);
      *r.mutable_request_time() = TimestampOf(now);
      u.Apply(Put("ref/" + r.reference_id(), r));
      *out = r;
      return Status();
    });
  }

  Status UpdateReferral(const std::string& tenant,
                        const pb::UpdateReferralRequest& req,
                        pb::Referral* out) {
    const std::string key = "referral/" + req.referral_id();
    pb::Referral r;
    bool converted_now = false;
    bool unchanged = false;
    Status st = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      auto loaded = LoadMessage<pb::Referral>(u, key);
      if (!loaded.ok()) return loaded.status();
      if (!*loaded) return sdk::NotFound("no referral " + req.referral_id());
      r = **loaded;
      converted_now = false;
      unchanged = false;
      if (r.status() == pb::REFERRAL_STATUS_CONVERTED ||
          r.status() == pb::REFERRAL_STATUS_LOST) {
        if (r.status() == req.status()) {
          unchanged = true;
          return Status();
        }
        return sdk::FailedPrecondition("referral is closed");
      }
      if (req.status() == pb::REFERRAL_STATUS_UNSPECIFIED)
        return sdk::InvalidArgument("status is required");
      if (req.status() == pb::REFERRAL_STATUS_CONVERTED) {
        if (!(req.converted_arr() > 0))
          return sdk::InvalidArgument("converted_arr must be > 0");
        r.set_attributed_arr(req.converted_arr());
        *r.mutable_convert_time() = TimestampOf(host().NowMicros());
        converted_now = true;
      }
      r.set_status(req.status());
      u.Apply(Put(key, r));
      return Status();
    });
    if (!st.ok()) return st;
    if (unchanged) {
      *out = r;
      return Status();
    }
    if (converted_now) {
      Signal s;
      s.signal_id = "advocacy-" + r.referral_id() + "-converted";
      s.account_id = r.account_id();
      s.occur_micros = host().NowMicros();
      s.kind = SignalKind::kCustom;
      s.custom.type = "advocacy.referral_converted";
      s.custom.attributes = {
          {"referral_id", r.referral_id()},
          {"prospect", r.prospect()},
          {"attributed_arr", FormatDouble(r.attributed_arr())}};
      Status st = host().RecordSignals(tenant, {s});
      if (!st.ok()) return st;
    }
    *out = r;
    return Status();
  }

  Status Flywheel(const std::string& tenant, const std::string& account_id,
                  pb::Flywheel* f) {
    std::string scope = account_id.empty() ? "" : account_id + "/";
    auto promoters = LoadAll<pb::Champion>(host(), tenant, "promoter/" + scope);
    if (!promoters.ok()) return promoters.status();
    f->set_promoters(promoters->size());
    pb::ListChampionsResponse champions;
    Status st = Champions(tenant, account_id, &champions);
    if (!st.ok()) return st;
    f->set_champions(champions.champions_size());
    auto refs = LoadAll<pb::ReferenceRequest>(host(), tenant, "ref/");
    auto studies = LoadAll<pb::CaseStudy>(host(), tenant, "cs/");
    auto referrals = LoadAll<pb::Referral>(host(), tenant, "referral/");
    if (!refs.ok() || !studies.ok() || !referrals.ok())
      return sdk::Internal("cannot read advocacy state");
    auto mine = [&](const std::string& id) {
      return account_id.empty() || id == account_id;
    };
    for (const auto& r : *refs) {
      if (!mine(r.account_id())) continue;
      f->set_references_requested(f->references_requested() + 1);
      if (r.status() == pb::REFERENCE_STATUS_COMPLETED)
        f->set_references_completed(f->references_completed() + 1);
      if (r.status() == pb::REFERENCE_STATUS_DECLINED)
        f->set_references_declined(f->references_declined() + 1);
    }
    for (const auto& c : *studies) {
      if (!mine(c.account_id())) continue;
      if (c.stage() == pb::CASE_STUDY_STAGE_PUBLISHED) {
        f->set_case_studies_published(f->case_studies_published() + 1);
      } else if (c.stage() != pb::CASE_STUDY_STAGE_DECLINED) {
        f->set_case_studies_in_pipeline(f->case_studies_in_pipeline() + 1);
      }
    }
    for (const auto& r : *referrals) {
      if (!mine(r.account_id())) continue;
      f->set_referrals(f->referrals() + 1);
      if (r.status() == pb::REFERRAL_STATUS_CONVERTED) {
        f->set_referrals_converted(f->referrals_converted() + 1);
        f->set_attributed_arr(f->attributed_arr() + r.attributed_arr());
      }
    }
    if (f->referrals() > 0) {
      f->set_referral_conversion_rate(
          static_cast<double>(f->referrals_converted()) / f->referrals());
    }
    return Status();
  }

  int64_t max_asks_ = 3;
  int64_t cooldown_days_ = 60;
  int64_t window_days_ = 365;
  bool allow_red_ = false;
};

}  // namespace
}  // namespace retain::plugins::advocacy

RETAIN_PLUGIN(retain::plugins::advocacy::AdvocacyPlugin, "advocacy", "1.0.0")
