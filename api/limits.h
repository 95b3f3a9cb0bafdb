// Every size and range limit of the account and signal requests, in one
// place: the validation rules (account_validation.cc, signal_validation.cc),
// the server's receive limit (core/server/limits.h), the response pages
// (core/engine) and the proto comments all quote these numbers, and
// docs/decisions/0014-limits-and-quotas.md says why each is what it is.
// A request over any of them is rejected with INVALID_ARGUMENT and writes
// nothing.
#ifndef RETAIN_API_LIMITS_H_
#define RETAIN_API_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "plugins/sdk/retain_account_name.h"

namespace retain::api {

// --- Identifiers --------------------------------------------------------
// Account ids: 1-63 of [a-z0-9-_.] (the SDK's one definition).
inline constexpr size_t kMaxAccountIdBytes = names::kMaxAccountIdLength;
// "accounts/" plus an id.
inline constexpr size_t kMaxAccountNameBytes =
    names::kAccountNamePrefix.size() + kMaxAccountIdBytes;
// Signal ids: 1-128 printable ASCII characters.
inline constexpr size_t kMaxSignalIdBytes = 128;
// CreateAccount's request_id (idempotency key).
inline constexpr size_t kMaxRequestIdBytes = 128;
// Commercial idempotency references: 0-128 printable ASCII characters.
inline constexpr size_t kMaxCommercialReferenceBytes = 128;
// commercial.reason_code: a code of the churn-reason taxonomy.
inline constexpr size_t kMaxReasonCodeBytes = 64;
// Support ticket ids.
inline constexpr size_t kMaxTicketIdBytes = 256;
// Custom signal types: 1-128 printable ASCII characters.
inline constexpr size_t kMaxCustomTypeBytes = 128;
// Page tokens the server hands out are under 100 bytes.
inline constexpr size_t kMaxPageTokenBytes = 256;

// --- Text ----------------------------------------------------------------
// Names and short fields: account display_name, csm_owner, every contact
// field, a survey's respondent, a touchpoint's with_contact and csm, the
// csm_owner filter of ListAccounts.
inline constexpr size_t kMaxNameBytes = 256;
// Free text: ticket subject, survey comment, touchpoint notes, commercial
// and lifecycle reasons, a custom attribute's value.
inline constexpr size_t kMaxTextBytes = 4096;

// --- Maps and lists --------------------------------------------------------
// Keys of custom attributes and of usage feature_users.
inline constexpr size_t kMaxMapKeyBytes = 128;
inline constexpr size_t kMaxCustomAttributes = 64;
inline constexpr size_t kMaxFeatureUsers = 256;
inline constexpr size_t kMaxContacts = 200;

// --- Numbers ---------------------------------------------------------------
// ARR and every ARR delta: finite, |x| <= 1e12 (a trillion in the tenant's
// currency), so sums over a portfolio stay exact enough and finite.
inline constexpr double kMaxArr = 1e12;
inline constexpr int32_t kMaxLicensedSeats = 10'000'000;
// Longest contract term, in months (ten years).
inline constexpr int32_t kMaxContractTermMonths = 120;

// --- Messages ----------------------------------------------------------------
// One signal, serialized as received, including its ids: any signal with
// one free-text field at its cap fits with room to spare; it is what makes
// a full batch's size knowable (below).
inline constexpr size_t kMaxSignalBytes = 6 * 1024;
// A RecordSignals or StreamSignals message.
inline constexpr int kMaxBatchSignals = 10000;
// A full batch at the per-signal cap: each repeated element adds a 1-byte
// tag and a 2-byte length to the signal's bytes. 61,470,000 bytes.
inline constexpr size_t kMaxBatchBytes =
    static_cast<size_t>(kMaxBatchSignals) * (kMaxSignalBytes + 3);
// What retaind accepts in one message: a full batch plus headroom, and no
// more (it used to be 64 MiB with no per-signal cap).
inline constexpr size_t kMaxRequestBytes = 60u << 20;  // 62,914,560
static_assert(kMaxBatchBytes <= kMaxRequestBytes,
              "a full batch at the per-signal cap must fit in one request");

// Responses that return stored data (ListSignals, ListAccounts,
// ListAtRiskAccounts) stop a page at this many bytes as well as at their
// page_size, and say so with a next_page_token: gRPC clients refuse
// messages over 4 MiB by default, and 1 MiB of headroom covers the framing.
inline constexpr size_t kClientDefaultMaxReceiveBytes = 4u << 20;
inline constexpr size_t kMaxPageBytes = 3u << 20;
static_assert(kMaxSignalBytes < kMaxPageBytes &&
                  kMaxPageBytes < kClientDefaultMaxReceiveBytes,
              "a page holds at least one signal and fits a default client");

}  // namespace retain::api

#endif  // RETAIN_API_LIMITS_H_
