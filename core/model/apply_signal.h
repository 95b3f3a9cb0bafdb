// Folds one recorded signal into an account's timeline. The only place that
// knows how each signal kind moves the in-memory model, used both when a
// signal is recorded and when the log is replayed at start-up, so the two
// can never disagree.
#ifndef RETAIN_CORE_MODEL_APPLY_SIGNAL_H_
#define RETAIN_CORE_MODEL_APPLY_SIGNAL_H_

#include "core/model/account_state.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::model {

// Custom signal types the server records itself when an account's contacts
// change, so that "was there an exec sponsor at T" survives restarts.
inline constexpr char kContactsChangedType[] = "retain.contacts_changed";
// ... and when a versioned profile field changes (an update, an archive or
// a restore): one attribute per changed field, named after the Account
// field ("licensed_seats", "renewal_time" as RFC 3339 or "" when cleared,
// "csm_owner", "segment" as the enum name, "contract_term_months",
// "archived" as "true"/"false").
inline constexpr char kProfileChangedType[] = "retain.profile_changed";

// False when the signal changed nothing but the signal count: a commercial
// signal whose reference was already applied on the account.
bool ApplySignal(const signal::v1::Signal& signal, AccountState& account);

// The kind implied by the payload case.
signal::v1::SignalKind KindOf(const signal::v1::Signal& signal);

// Adds the initial ARR change (ARR given at creation, from contract start).
void SeedTimelineFromProfile(AccountState& account);

}  // namespace retain::model

#endif  // RETAIN_CORE_MODEL_APPLY_SIGNAL_H_
