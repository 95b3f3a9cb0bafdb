// Rows of CSV / JSON Lines files and command-line key=value pairs turned into
// Retain's messages, with the client-side checks that mirror the contract
// (so a bad row is rejected with its reason before it can fail a batch).
//
// Signal rows: signal_id, account, occur_time, kind, then the fields of the
// kind's payload message by their proto names (usage: active_users,
// window_days, feature_users; ticket: ticket_id, status, severity, escalated,
// subject; survey: survey_kind, score, comment, respondent; touchpoint:
// channel, with_contact, exec_involved, csm, notes; commercial:
// commercial_kind, arr_delta, reason, next_renewal_time; lifecycle: stage,
// reason; custom: type, attributes). A payload field named "kind" is read
// from "<payload>_kind". Maps are "key=value;key=value". Columns for other
// kinds are ignored, so one file can mix kinds.
//
// Account rows: account_id, display_name, arr, licensed_seats,
// contract_start_time, renewal_time, segment, lifecycle_stage, csm_owner,
// contract_term_months (alias term),
// exec_sponsor_name, exec_sponsor_email, champion_name, champion_email.
#ifndef RETAIN_CLIENTS_CLI_RECORDS_H_
#define RETAIN_CLIENTS_CLI_RECORDS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "retain/account/v1/account.pb.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::cli {

// Column name -> value, in file order. Names are normalised (lower case,
// spaces and '-' as '_').
using Fields = std::vector<std::pair<std::string, std::string>>;

std::string NormalizeColumn(const std::string& name);

// "acme" or "accounts/acme" -> "accounts/acme"; error when the id is not
// 1-63 characters of [a-z0-9-_.] starting with a letter or digit.
absl::StatusOr<std::string> AccountResourceName(const std::string& ref);

absl::StatusOr<signal::v1::Signal> SignalFromFields(const Fields& fields);
// One line of JSON Lines: the proto JSON of a Signal (as `signals list
// --output json` prints it); "account" may be a bare id.
absl::StatusOr<signal::v1::Signal> SignalFromJson(const std::string& json);
// Columns that no signal kind reads (reported once as a warning).
std::vector<std::string> UnknownSignalColumns(
    const std::vector<std::string>& headers);

// Fills in a missing signal_id with one derived from the content
// ("h-" + 16 hex digits of a hash of the signal without its id), so
// re-importing a file without ids is still idempotent.
void EnsureSignalId(signal::v1::Signal& signal);

// The checks the server applies that need no stored state: required fields,
// id length, time at most one day ahead of `now`, value ranges.
absl::Status ValidateSignal(const signal::v1::Signal& signal, absl::Time now);

struct AccountRow {
  std::string account_id;  // may be empty: the server picks one
  account::v1::Account account;
  // Account fields the row set, for an update mask.
  std::vector<std::string> paths;
};

absl::StatusOr<AccountRow> AccountFromFields(const Fields& fields);
// One line of JSON Lines: the proto JSON of an Account (as `accounts list
// --output json` prints it) with the id in "name" ("accounts/acme") or
// "account_id".
absl::StatusOr<AccountRow> AccountFromJson(const std::string& json);
std::vector<std::string> UnknownAccountColumns(
    const std::vector<std::string>& headers);

// A stable hex digest of the bytes (FNV-1a 64).
std::string HexDigest(const std::string& bytes);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_RECORDS_H_
