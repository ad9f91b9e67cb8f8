// Writes what each gateway call leaves behind — its ledger rows (one per attempt) and its
// audit event (entity types and counts, the decision, the route; never raw values) — on
// one background thread, so a request never waits on SQLite. After every batch the audit
// log's head is checkpointed in the ledger: cutting entries off the audit log's tail is
// then detected by `triptyque audit verify --checkpoint`.
//
// flush() waits until everything queued so far is written (shutdown, tests); the queue is
// bounded, so a stalled disk slows callers down instead of growing memory without end.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "guard/audit.h"
#include "guard/guard.h"
#include "ledger/ledger.h"

namespace tq {

struct CallAudit {
  std::string request_id;
  guard::Verdict verdict;
  std::string route;  // the route's kind and target, or what refused the request
};

// Everything one call leaves behind.
struct CallRecord {
  std::vector<LedgerRecord> rows;
  std::optional<CallAudit> audit;
  std::optional<CallText> text;  // only with [ledger] log_text
};

class CallRecorder {
 public:
  // `audit` may be null (no audit log configured).
  CallRecorder(Ledger& ledger, guard::AuditLog* audit, size_t max_queued = 65536);
  ~CallRecorder();  // writes what is queued, then stops
  CallRecorder(const CallRecorder&) = delete;
  CallRecorder& operator=(const CallRecorder&) = delete;

  void submit(CallRecord record);
  void flush();
  int64_t write_failures() const;

 private:
  void run();
  void write(std::vector<CallRecord>& batch);

  Ledger& ledger_;
  guard::AuditLog* audit_;
  size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable wake_;      // the writer: work arrived or stop
  std::condition_variable progress_;  // submitters and flushers: the writer moved on
  std::deque<CallRecord> queue_;
  uint64_t submitted_ = 0;
  uint64_t written_ = 0;
  int64_t failures_ = 0;
  int flushing_ = 0;  // callers waiting in flush(): write without gathering
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace tq
