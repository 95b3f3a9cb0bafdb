#include "core/server/demo_portfolio.h"

#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/proto_time.h"

namespace retain::server {
namespace {

using api::ToProto;

constexpr const char* kNames[] = {
    "Acme Logistics",  "Birch Health",      "Cobalt Retail",  "Delta Freight",
    "Ember Foods",     "Fjord Energy",      "Granite Bank",   "Harbor Media",
    "Iris Pharma",     "Juniper Schools",   "Kestrel Air",    "Lumen Labs",
    "Maple Insurance", "Nimbus Cloudworks", "Orchid Travel",  "Pioneer Mining",
    "Quartz Telecom",  "Redwood Legal",     "Summit Outdoor", "Tidal Marine",
    "Umber Textiles",  "Vertex Robotics",   "Willow Care",    "Xenon Chemicals",
    "Yarrow Farms",    "Zephyr Mobility",   "Atlas Build",    "Beacon Credit",
    "Cedar Hotels",    "Dune Analytics",    "Echo Studios",   "Falcon Security",
    "Garnet Games",    "Helix Bio",         "Indigo Apparel", "Jasper Motors",
    "Kite Payments",   "Lark Publishing",   "Mosaic Events",  "Nova Solar",
};
constexpr const char* kCsms[] = {"ana@retain.example", "ben@retain.example",
                                 "chloe@retain.example"};

}  // namespace

absl::Status LoadDemoPortfolio(engine::Engine& engine,
                               const std::string& tenant) {
  std::mt19937 rng(20261123);
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  const absl::Time now = absl::Now();
  const double arrs[] = {3000, 12000, 45000, 150000};
  int n = 0;
  for (const char* name : kNames) {
    const int i = n++;
    const double arr = arrs[i % 4] * uniform(0.6, 1.6);
    const int seats = static_cast<int>(arr / 600) + 5;
    // Health archetypes: thriving, steady, slipping, neglected.
    const int archetype = (i * 7) % 4;
    const absl::Time start = now - absl::Hours(24 * (60 + (i * 53) % 840));
    absl::Time renewal = start + absl::Hours(24 * 365);
    while (renewal < now) renewal += absl::Hours(24 * 365);

    account::v1::Account a;
    a.set_display_name(name);
    a.set_arr(static_cast<int>(arr));
    a.set_licensed_seats(seats);
    *a.mutable_contract_start_time() = ToProto(start);
    *a.mutable_renewal_time() = ToProto(renewal);
    a.set_csm_owner(kCsms[i % 3]);
    // Accounts signed in the last four months are still onboarding (the
    // onboarding plugin starts their milestone plans from this stage).
    a.set_lifecycle_stage(now - start < absl::Hours(24 * 120)
                              ? account::v1::LIFECYCLE_STAGE_ONBOARDING
                              : account::v1::LIFECYCLE_STAGE_ADOPTION);
    auto* champion = a.add_contacts();
    champion->set_display_name(absl::StrCat("Champion of ", name));
    champion->set_role("Operations lead");
    champion->set_champion(true);
    if (archetype < 2) {
      auto* sponsor = a.add_contacts();
      sponsor->set_display_name(absl::StrCat("Sponsor of ", name));
      sponsor->set_role("VP");
      sponsor->set_exec_sponsor(true);
    }
    const std::string id = absl::StrFormat("demo-%02d", i);
    auto created = engine.CreateAccount(tenant, id, a, "demo-" + id);
    if (!created.ok()) return created.status();
    const std::string account = created->name();

    std::vector<signal::v1::Signal> signals;
    int seq = 0;
    auto add = [&](absl::Time t) -> signal::v1::Signal& {
      signals.emplace_back();
      signal::v1::Signal& s = signals.back();
      s.set_signal_id(absl::StrCat("demo:", id, ":", seq++));
      s.set_account(account);
      *s.mutable_occur_time() = ToProto(t);
      return s;
    };
    const absl::Time history_start =
        std::max(start, now - absl::Hours(24 * 365));
    // Weekly usage; slipping and neglected accounts decline.
    const double base_util = archetype == 0   ? 0.9
                             : archetype == 1 ? 0.65
                             : archetype == 2 ? 0.55
                                              : 0.35;
    for (absl::Time t = history_start; t < now; t += absl::Hours(24 * 7)) {
      const double age = absl::ToDoubleHours(now - t) / (24 * 365);
      double util = base_util;
      if (archetype >= 2) util = base_util * (0.45 + age);
      util = std::min(1.0, std::max(0.05, util * uniform(0.9, 1.1)));
      auto& s = add(t);
      s.mutable_usage()->set_active_users(static_cast<int>(util * seats));
      s.mutable_usage()->set_window_days(7);
    }
    // Touchpoints: fresh for healthy accounts, stale for neglected ones.
    const int gap_days = archetype == 0   ? 10
                         : archetype == 1 ? 20
                         : archetype == 2 ? 35
                                          : 75;
    for (absl::Time t = now - absl::Hours(24 * (gap_days / 2 + 1));
         t > history_start; t -= absl::Hours(24 * gap_days)) {
      auto& s = add(t);
      s.mutable_touchpoint()->set_channel(
          signal::v1::TOUCHPOINT_CHANNEL_MEETING);
      s.mutable_touchpoint()->set_csm(a.csm_owner());
      s.mutable_touchpoint()->set_exec_involved(archetype == 0);
    }
    // Support tickets.
    for (int k = 0; k < 1 + archetype * 2; ++k) {
      const absl::Time opened = now - absl::Hours(24 * uniform(5, 200));
      const std::string ticket = absl::StrCat(id, "-T", k);
      auto& o = add(opened);
      o.mutable_ticket()->set_ticket_id(ticket);
      o.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_OPENED);
      o.mutable_ticket()->set_severity(
          static_cast<signal::v1::TicketSeverity>(1 + (k + archetype) % 4));
      o.mutable_ticket()->set_subject("Demo issue");
      if (archetype < 3 || k % 2 == 0) {
        auto& c = add(opened + absl::Hours(24 * uniform(1, 4)));
        c.mutable_ticket()->set_ticket_id(ticket);
        c.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_CLOSED);
      }
    }
    // Surveys: NPS quarterly, CSAT after tickets.
    for (int q = 0; q < 4; ++q) {
      auto& s = add(now - absl::Hours(24 * (20 + 90 * q)));
      const int base = archetype == 0   ? 9
                       : archetype == 1 ? 8
                       : archetype == 2 ? 6
                                        : 4;
      s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
      s.mutable_survey()->set_score(std::min(
          10, std::max(0, base + static_cast<int>(uniform(-1.5, 1.5)))));
      s.mutable_survey()->set_respondent("champion");
      if (archetype >= 2) s.mutable_survey()->set_comment("Reporting is slow.");
      auto& c = add(now - absl::Hours(24 * (10 + 90 * q)));
      c.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_CSAT);
      c.mutable_survey()->set_score(archetype >= 3 ? 2 : 4 + (archetype == 0));
    }
    // Commercial history, dated after the contract started.
    const double age_days = absl::ToDoubleHours(now - start) / 24;
    auto event_time = [&] {
      return now - absl::Hours(24 * uniform(20, std::min(300.0, age_days - 5)));
    };
    if (i % 9 == 4) {
      auto& s = add(event_time());
      s.mutable_commercial()->set_kind(signal::v1::COMMERCIAL_EVENT_KIND_CHURN);
      s.mutable_commercial()->set_reason("Moved to a competitor");
    } else if (i % 5 == 1) {
      auto& s = add(event_time());
      s.mutable_commercial()->set_kind(
          signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
      s.mutable_commercial()->set_arr_delta(static_cast<int>(arr * 0.3));
      s.mutable_commercial()->set_reason("Added seats");
    } else if (i % 7 == 3) {
      auto& s = add(event_time());
      s.mutable_commercial()->set_kind(
          signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
      s.mutable_commercial()->set_arr_delta(-static_cast<int>(arr * 0.2));
      s.mutable_commercial()->set_reason("Fewer seats");
    }
    if (archetype == 3 && i % 2 == 1) {
      auto& s = add(now - absl::Hours(24 * 12));
      s.mutable_commercial()->set_kind(
          signal::v1::COMMERCIAL_EVENT_KIND_PAYMENT_OVERDUE);
    }
    auto counts = engine.RecordSignals(tenant, std::move(signals));
    if (!counts.ok()) return counts.status();
  }
  return absl::OkStatus();
}

}  // namespace retain::server
