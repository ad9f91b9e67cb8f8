#include "tasks/plan/plan_store.h"

#include <sqlite3.h>

#include <random>

#include "core/error.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

constexpr int kSchemaVersion = 1;

const char* const kSchema = R"(
CREATE TABLE IF NOT EXISTS plans (
  id TEXT PRIMARY KEY,
  goal TEXT NOT NULL,
  plan_json TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  planner_is_llm INTEGER NOT NULL,
  planner_prompt_tokens INTEGER NOT NULL,
  planner_completion_tokens INTEGER NOT NULL,
  planner_cost REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
  plan_id TEXT NOT NULL REFERENCES plans(id),
  step_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  task TEXT NOT NULL,
  input_json TEXT NOT NULL,
  depends_on_json TEXT NOT NULL,
  parallel_group TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  output_json TEXT,
  error TEXT,
  provider TEXT, model TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  slm_prompt_tokens INTEGER NOT NULL DEFAULT 0, slm_completion_tokens INTEGER NOT NULL DEFAULT 0,
  llm_prompt_tokens INTEGER NOT NULL DEFAULT 0, llm_completion_tokens INTEGER NOT NULL DEFAULT 0,
  slm_cost REAL NOT NULL DEFAULT 0, llm_cost REAL NOT NULL DEFAULT 0,
  updated_at TEXT,
  PRIMARY KEY (plan_id, step_id)
);
)";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK)
      throw Error(std::string("plan store: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(st_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& bind(int i, const std::string& s) {
    sqlite3_bind_text(st_, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Statement& bind(int i, double v) {
    sqlite3_bind_double(st_, i, v);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(std::string("plan store: ") + sqlite3_errmsg(db_));
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(st_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  int64_t integer(int col) const { return sqlite3_column_int64(st_, col); }
  double real(int col) const { return sqlite3_column_double(st_, col); }
  int changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

std::string new_plan_id() {
  std::random_device rd;
  const uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char buf[32];
  std::snprintf(buf, sizeof buf, "plan-%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

PlanStore::PlanStore(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError("cannot open plan store " + path + ": " + msg);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    int64_t version = 0;
    {
      Statement v(db_, "PRAGMA user_version");  // finalised before the WAL switch
      v.step();
      version = v.integer(0);
    }
    if (version > kSchemaVersion)
      throw InputError("plan store " + path + " has schema version " + std::to_string(version) +
                       ", newer than this triptyque (" + std::to_string(kSchemaVersion) + ")");
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA foreign_keys=ON");
    exec(kSchema);
    exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
  } catch (const std::exception& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError("plan store " + path + ": " + e.what());
  }
}

PlanStore::~PlanStore() {
  sqlite3_close(db_);
}

void PlanStore::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error("plan store: " + msg);
  }
}

std::string PlanStore::create(const std::string& goal, const json& plan,
                              const std::vector<PlanStep>& steps, bool planner_is_llm,
                              const TokenCount& planner_tokens, double planner_cost) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string id = new_plan_id();
  exec("BEGIN IMMEDIATE");
  try {
    Statement p(db_,
                "INSERT INTO plans (id, goal, plan_json, planner_is_llm, planner_prompt_tokens, "
                "planner_completion_tokens, planner_cost) VALUES (?, ?, ?, ?, ?, ?, ?)");
    p.bind(1, id).bind(2, goal).bind(3, plan.dump()).bind(4, int64_t{planner_is_llm ? 1 : 0});
    p.bind(5, planner_tokens.prompt).bind(6, planner_tokens.completion).bind(7, planner_cost);
    p.step();
    int64_t seq = 0;
    for (const auto& s : steps) {
      Statement q(db_,
                  "INSERT INTO steps (plan_id, step_id, seq, task, input_json, depends_on_json, "
                  "parallel_group, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')");
      q.bind(1, id).bind(2, s.id).bind(3, seq++).bind(4, s.task).bind(5, s.input.dump());
      q.bind(6, json(s.depends_on).dump()).bind(7, s.parallel_group);
      q.step();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  return id;
}

std::optional<PlanRecord> PlanStore::plan(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  Statement q(db_,
              "SELECT id, goal, plan_json, created_at, planner_is_llm, planner_prompt_tokens, "
              "planner_completion_tokens, planner_cost FROM plans WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  PlanRecord r;
  r.id = q.text(0);
  r.goal = q.text(1);
  r.plan = json::parse(q.text(2));
  r.created_at = q.text(3);
  r.planner_is_llm = q.integer(4) != 0;
  r.planner_tokens = {q.integer(5), q.integer(6)};
  r.planner_cost = q.real(7);
  return r;
}

std::vector<StepRecord> PlanStore::steps(const std::string& plan_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  Statement q(db_,
              "SELECT step_id, task, input_json, depends_on_json, parallel_group, status, "
              "output_json, error, provider, model, attempts, slm_prompt_tokens, "
              "slm_completion_tokens, llm_prompt_tokens, llm_completion_tokens, slm_cost, "
              "llm_cost FROM steps WHERE plan_id = ? ORDER BY seq");
  q.bind(1, plan_id);
  std::vector<StepRecord> out;
  while (q.step()) {
    StepRecord r;
    r.step = {q.text(0), q.text(1), json::parse(q.text(2)),
              json::parse(q.text(3)).get<std::vector<std::string>>(), q.text(4)};
    r.status = q.text(5);
    const std::string o = q.text(6);
    r.output = o.empty() ? json() : json::parse(o);
    r.error = q.text(7);
    r.provider = q.text(8);
    r.model = q.text(9);
    r.attempts = static_cast<int>(q.integer(10));
    r.slm_tokens = {q.integer(11), q.integer(12)};
    r.llm_tokens = {q.integer(13), q.integer(14)};
    r.slm_cost = q.real(15);
    r.llm_cost = q.real(16);
    out.push_back(std::move(r));
  }
  return out;
}

void PlanStore::mark_running(const std::string& plan_id, const std::string& step_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement q(db_,
              "UPDATE steps SET status = 'running', updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
              "'now') WHERE plan_id = ? AND step_id = ?");
  q.bind(1, plan_id).bind(2, step_id).step();
}

namespace {
void bind_usage(Statement& q, int first, const TaskResult& r) {
  q.bind(first, r.provider).bind(first + 1, r.model).bind(first + 2, int64_t{r.attempts});
  q.bind(first + 3, r.slm_tokens.prompt).bind(first + 4, r.slm_tokens.completion);
  q.bind(first + 5, r.llm_tokens.prompt).bind(first + 6, r.llm_tokens.completion);
  q.bind(first + 7, r.slm_cost).bind(first + 8, r.llm_cost);
}
}  // namespace

void PlanStore::mark_done(const std::string& plan_id, const std::string& step_id,
                          const TaskResult& r) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement q(
      db_,
      "UPDATE steps SET status = 'done', output_json = ?, error = NULL, provider = ?, "
      "model = ?, attempts = ?, slm_prompt_tokens = ?, slm_completion_tokens = ?, "
      "llm_prompt_tokens = ?, llm_completion_tokens = ?, slm_cost = ?, llm_cost = ?, "
      "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE plan_id = ? AND step_id = ?");
  q.bind(1, r.output.dump());
  bind_usage(q, 2, r);
  q.bind(11, plan_id).bind(12, step_id).step();
}

void PlanStore::mark_failed(const std::string& plan_id, const std::string& step_id,
                            const std::string& error, const TaskResult* partial) {
  std::lock_guard<std::mutex> lock(mu_);
  const TaskResult none;
  Statement q(
      db_,
      "UPDATE steps SET status = 'failed', output_json = NULL, error = ?, provider = ?, "
      "model = ?, attempts = ?, slm_prompt_tokens = ?, slm_completion_tokens = ?, "
      "llm_prompt_tokens = ?, llm_completion_tokens = ?, slm_cost = ?, llm_cost = ?, "
      "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE plan_id = ? AND step_id = ?");
  q.bind(1, error);
  bind_usage(q, 2, partial ? *partial : none);
  q.bind(11, plan_id).bind(12, step_id).step();
}

int PlanStore::reset_unfinished(const std::string& plan_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement q(db_,
              "UPDATE steps SET status = 'pending' WHERE plan_id = ? AND status IN ('running', "
              "'failed')");
  q.bind(1, plan_id).step();
  return q.changes();
}

namespace {

// Deletes the plans `select_ids` (one text parameter) finds, steps first. The ids are read
// before anything is deleted: the query may find plans through their steps.
int64_t delete_plans(sqlite3* db, const char* select_ids, const std::string& param) {
  std::vector<std::string> ids;
  {
    Statement q(db, select_ids);
    q.bind(1, param);
    while (q.step()) ids.push_back(q.text(0));
  }
  for (const auto& id : ids) {
    Statement s(db, "DELETE FROM steps WHERE plan_id = ?");
    s.bind(1, id);
    s.step();
    Statement p(db, "DELETE FROM plans WHERE id = ?");
    p.bind(1, id);
    p.step();
  }
  return static_cast<int64_t>(ids.size());
}

}  // namespace

int64_t PlanStore::purge_before(const std::string& cutoff_utc) {
  std::lock_guard<std::mutex> lock(mu_);
  exec("BEGIN IMMEDIATE");
  try {
    const int64_t n = delete_plans(db_, "SELECT id FROM plans WHERE created_at < ?1", cutoff_utc);
    exec("COMMIT");
    return n;
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

int64_t PlanStore::erase_containing(const std::string& needle) {
  if (needle.empty()) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  exec("BEGIN IMMEDIATE");
  try {
    const int64_t n = delete_plans(
        db_,
        "SELECT id FROM plans WHERE instr(lower(goal), lower(?1)) > 0 OR "
        "instr(lower(plan_json), lower(?1)) > 0 UNION SELECT plan_id FROM steps WHERE "
        "instr(lower(input_json), lower(?1)) > 0 OR instr(lower(coalesce(output_json, '')), "
        "lower(?1)) > 0 OR instr(lower(coalesce(error, '')), lower(?1)) > 0",
        needle);
    exec("COMMIT");
    return n;
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

}  // namespace tq::tasks
