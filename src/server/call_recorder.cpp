#include "server/call_recorder.h"

#include <chrono>
#include <cstdio>

namespace tq {

CallRecorder::CallRecorder(Ledger& ledger, guard::AuditLog* audit, size_t max_queued)
    : ledger_(ledger), audit_(audit), max_queued_(max_queued), writer_([this] { run(); }) {}

CallRecorder::~CallRecorder() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void CallRecorder::submit(CallRecord record) {
  std::unique_lock lock(mu_);
  progress_.wait(lock, [&] { return queue_.size() < max_queued_ || stop_; });
  queue_.push_back(std::move(record));
  ++submitted_;
  wake_.notify_one();
}

void CallRecorder::flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = submitted_;
  ++flushing_;
  wake_.notify_one();
  progress_.wait(lock, [&] { return written_ >= target; });
  --flushing_;
}

int64_t CallRecorder::write_failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

void CallRecorder::run() {
  for (;;) {
    std::vector<CallRecord> batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      // Gather a few milliseconds of calls: one transaction per store for the lot instead
      // of three per request (each costs file locks and a WAL append), so the writer's
      // share of the CPU stays small under load. A flush or a full batch goes at once.
      wake_.wait_for(lock, std::chrono::milliseconds(5),
                     [&] { return stop_ || flushing_ > 0 || queue_.size() >= 512; });
      while (!queue_.empty() && batch.size() < 512) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    write(batch);
    {
      std::lock_guard lock(mu_);
      written_ += batch.size();
    }
    progress_.notify_all();
  }
}

void CallRecorder::write(std::vector<CallRecord>& batch) {
  // A failed write is logged and counted, never turned into a failed call: the answer was
  // already given.
  auto failed = [this](const char* what, const std::exception& e) {
    std::fprintf(stderr, "triptyque serve: %s write failed: %s\n", what, e.what());
    std::lock_guard lock(mu_);
    ++failures_;
  };
  std::vector<LedgerRecord> rows;
  std::vector<guard::AuditEvent> events;
  for (auto& record : batch) {
    for (auto& r : record.rows) rows.push_back(std::move(r));
    if (record.audit)
      events.push_back({"decision", record.audit->request_id,
                        guard::decision_detail(record.audit->verdict, record.audit->route)});
  }
  std::optional<guard::AuditHead> head;
  if (audit_ != nullptr && !events.empty()) {
    try {
      head = audit_->append_all(events);
    } catch (const std::exception& e) {
      failed("audit log", e);
    }
  }
  try {
    ledger_.append_all(rows);
    for (const auto& record : batch)
      if (record.text) ledger_.append_text(*record.text);
    if (head) ledger_.checkpoint(Checkpoint{0, "guard.audit", head->hash, head->count});
  } catch (const std::exception& e) {
    failed("ledger", e);
  }
}

}  // namespace tq
