#include "rag/store.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "core/error.h"
#include "rag/fts.h"
#include "rag/sqlite_util.h"

namespace tq::rag {
namespace {

std::string now_utc() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Collection read_collection(const Stmt& s) {
  Collection c;
  c.id = s.int64(0);
  c.name = s.text(1);
  c.label = s.text(2);
  c.analysis.language = s.text(3);
  c.analysis.stem = s.int64(4) != 0;
  c.analysis.stopwords = s.int64(5) != 0;
  c.documents = s.int64(6);
  c.chunks = s.int64(7);
  return c;
}

constexpr const char* kSelectCollections =
    "SELECT c.id, c.name, c.label, c.language, c.stem, c.stopwords,"
    " (SELECT count(*) FROM documents d WHERE d.collection_id = c.id),"
    " (SELECT count(*) FROM chunks k WHERE k.collection_id = c.id) FROM collections c";

}  // namespace

std::string check_label(const std::string& label) {
  for (const char* l : kLabels) {
    if (label == l) return label;
  }
  throw InputError("unknown access label '" + label + "': use public, internal or confidential");
}

std::string fts_table_name(int64_t collection_id) {
  return "fts_c" + std::to_string(collection_id);
}

const std::vector<std::string>& schema_migrations() {
  static const std::vector<std::string> m = {
      // 1: collections, documents, chunks (FTS tables are per collection, created with it)
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "INSERT INTO meta VALUES('generation', '0');"
      "CREATE TABLE collections(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
      " label TEXT NOT NULL CHECK(label IN ('public','internal','confidential')),"
      " language TEXT NOT NULL, stem INTEGER NOT NULL, stopwords INTEGER NOT NULL,"
      " created_at TEXT NOT NULL);"
      "CREATE TABLE documents(id INTEGER PRIMARY KEY,"
      " collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,"
      " source TEXT NOT NULL, content_hash TEXT NOT NULL, metadata TEXT NOT NULL DEFAULT '{}',"
      " ingested_at TEXT NOT NULL, UNIQUE(collection_id, source));"
      "CREATE TABLE chunks(id INTEGER PRIMARY KEY,"
      " document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
      " collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,"
      " ordinal INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,"
      " location TEXT NOT NULL, fields TEXT NOT NULL DEFAULT '{}',"
      " UNIQUE(document_id, ordinal));"
      "CREATE INDEX chunks_collection ON chunks(collection_id);",
      // 2: one embedding per chunk and model (dense retrieval; the HNSW index is derived)
      "CREATE TABLE embeddings(chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,"
      " model TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,"
      " PRIMARY KEY(chunk_id, model));",
      // 3: score bounds for pruned BM25 (store.h). Collections filled before this version
      // have no bounds: they are marked invalid and searched exhaustively.
      "CREATE TABLE tf_bounds(collection_id INTEGER NOT NULL REFERENCES collections(id)"
      " ON DELETE CASCADE, term TEXT NOT NULL, max_tf INTEGER NOT NULL,"
      " PRIMARY KEY(collection_id, term)) WITHOUT ROWID;"
      "ALTER TABLE collections ADD COLUMN min_terms INTEGER;"
      "ALTER TABLE collections ADD COLUMN bounds_valid INTEGER NOT NULL DEFAULT 1;"
      "UPDATE collections SET bounds_valid = 0"
      " WHERE EXISTS (SELECT 1 FROM chunks WHERE collection_id = collections.id);",
  };
  return m;
}

KnowledgeBase::KnowledgeBase(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw InputError("cannot open knowledge base " + path + ": " + msg);
  }
  try {
    sqlite3_busy_timeout(db_, 10000);
    register_fts_extensions(db_);
    exec(db_,
         "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
         " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
    migrate();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    rethrow_with_context("knowledge base " + path);
  }
}

// Statements prepared once per connection: ingestion runs them per chunk.
struct KnowledgeBase::Statements {
  Stmt find_doc;
  Stmt delete_chunks;
  Stmt update_doc;
  Stmt insert_doc;
  Stmt insert_chunk;
  Stmt bound_tf;
  Stmt bound_len;
  Stmt bump;
  explicit Statements(sqlite3* db)
      : find_doc(db,
                 "SELECT id, content_hash FROM documents WHERE collection_id = ? AND source = ?"),
        delete_chunks(db, "DELETE FROM chunks WHERE document_id = ?"),
        update_doc(db,
                   "UPDATE documents SET content_hash = ?, metadata = ?, ingested_at = ?"
                   " WHERE id = ?"),
        insert_doc(db,
                   "INSERT INTO documents(collection_id, source, content_hash, metadata,"
                   " ingested_at) VALUES(?, ?, ?, ?, ?)"),
        insert_chunk(db,
                     "INSERT INTO chunks(document_id, collection_id, ordinal, title, body,"
                     " location, fields) VALUES(?, ?, ?, ?, ?, ?, ?)"),
        bound_tf(db,
                 "INSERT INTO tf_bounds(collection_id, term, max_tf) VALUES(?, ?, ?)"
                 " ON CONFLICT DO UPDATE SET max_tf = max(max_tf, excluded.max_tf)"),
        bound_len(db,
                  "UPDATE collections SET min_terms = ?2 WHERE id = ?1"
                  " AND (min_terms IS NULL OR min_terms > ?2)"),
        bump(db, "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'") {}
};

KnowledgeBase::~KnowledgeBase() {
  statements_.reset();
  sqlite3_close(db_);
}

KnowledgeBase::Statements& KnowledgeBase::statements() {
  if (!statements_) statements_ = std::make_unique<Statements>(db_);
  return *statements_;
}

Analyzer& KnowledgeBase::analyzer_for(const Collection& c) {
  auto& a = analyzers_[c.id];
  if (!a || !(a->options() == c.analysis)) a = std::make_unique<Analyzer>(c.analysis);
  return *a;
}

int KnowledgeBase::schema_version() const {
  Stmt s(db_, "SELECT max(version) FROM schema_version");
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

void KnowledgeBase::migrate() {
  exec(db_,
       "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL, applied_at TEXT NOT "
       "NULL)");
  const auto& steps = schema_migrations();
  int have = schema_version();
  if (have > static_cast<int>(steps.size())) {
    throw InputError("schema version " + std::to_string(have) +
                     " is newer than this triptyque knows (" + std::to_string(steps.size()) +
                     "): upgrade triptyque");
  }
  for (auto v = static_cast<size_t>(have); v < steps.size(); ++v) {
    Transaction tx(db_);
    exec(db_, steps[v]);
    Stmt(db_, "INSERT INTO schema_version VALUES(?, ?)")
        .bind(1, static_cast<int64_t>(v + 1))
        .bind(2, now_utc())
        .run();
    tx.commit();
  }
}

int64_t KnowledgeBase::generation() const {
  Stmt s(db_, "SELECT value FROM meta WHERE key='generation'");
  return s.step() ? std::stoll(s.text(0)) : 0;
}

void KnowledgeBase::bump_generation() {
  Stmt& s = statements().bump;
  s.run();
  s.reset();
}

std::optional<Collection> KnowledgeBase::find_collection(const std::string& name) const {
  Stmt s(db_, std::string(kSelectCollections) + " WHERE c.name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return read_collection(s);
}

std::vector<Collection> KnowledgeBase::collections() const {
  Stmt s(db_, std::string(kSelectCollections) + " ORDER BY c.name");
  std::vector<Collection> out;
  while (s.step()) out.push_back(read_collection(s));
  return out;
}

Collection KnowledgeBase::ensure_collection(const std::string& name, const std::string& label,
                                            const AnalyzerOptions& analysis_in) {
  if (name.empty()) throw InputError("a collection needs a name (--collection NAME)");
  check_label(label);
  AnalyzerOptions analysis = analysis_in;
  analysis.language = normalize_language(analysis.language);
  if (auto c = find_collection(name)) {
    if (!(c->analysis == analysis)) {
      throw InputError("collection '" + name + "' is analysed as language " + c->analysis.language +
                       (c->analysis.stem ? " stemmed" : " unstemmed") +
                       ": use the same options, or `triptyque kb rm " + name + "` first");
    }
    if (c->label != label) {
      Stmt(db_, "UPDATE collections SET label = ? WHERE id = ?")
          .bind(1, label)
          .bind(2, c->id)
          .run();
      c->label = label;
    }
    return *c;
  }
  Transaction tx(db_);
  Stmt(db_,
       "INSERT INTO collections(name, label, language, stem, stopwords, created_at)"
       " VALUES(?, ?, ?, ?, ?, ?)")
      .bind(1, name)
      .bind(2, label)
      .bind(3, analysis.language)
      .bind(4, static_cast<int64_t>(analysis.stem))
      .bind(5, static_cast<int64_t>(analysis.stopwords))
      .bind(6, now_utc())
      .run();
  int64_t id = sqlite3_last_insert_rowid(db_);
  std::string fts = fts_table_name(id);
  std::string cid = std::to_string(id);
  exec(db_, "CREATE VIRTUAL TABLE " + fts +
                " USING fts5(title, body, content='chunks', content_rowid='id', tokenize='" +
                fts_tokenize_arg(analysis) +
                "');"
                "CREATE TRIGGER " +
                fts + "_ai AFTER INSERT ON chunks WHEN new.collection_id = " + cid +
                " BEGIN INSERT INTO " + fts +
                "(rowid, title, body) VALUES(new.id, new.title, new.body); END;"
                "CREATE TRIGGER " +
                fts + "_ad AFTER DELETE ON chunks WHEN old.collection_id = " + cid +
                " BEGIN INSERT INTO " + fts + "(" + fts +
                ", rowid, title, body) VALUES('delete', old.id, old.title, old.body); END;");
  tx.commit();
  return *find_collection(name);
}

bool KnowledgeBase::remove_collection(const std::string& name) {
  auto c = find_collection(name);
  if (!c) return false;
  Transaction tx(db_);
  std::string fts = fts_table_name(c->id);
  exec(db_, "DROP TRIGGER IF EXISTS " + fts + "_ai; DROP TRIGGER IF EXISTS " + fts +
                "_ad; DROP TABLE IF EXISTS " + fts + ";");
  Stmt(db_, "DELETE FROM chunks WHERE collection_id = ?").bind(1, c->id).run();
  Stmt(db_, "DELETE FROM documents WHERE collection_id = ?").bind(1, c->id).run();
  Stmt(db_, "DELETE FROM collections WHERE id = ?").bind(1, c->id).run();
  bump_generation();
  tx.commit();
  return true;
}

bool KnowledgeBase::is_current(const Collection& c, const std::string& source,
                               const std::string& hash) const {
  Stmt s(db_, "SELECT content_hash FROM documents WHERE collection_id = ? AND source = ?");
  s.bind(1, c.id).bind(2, source);
  return s.step() && s.text(0) == hash;
}

PutOutcome KnowledgeBase::put_document(const Collection& c, const DocumentInput& doc) {
  Statements& st = statements();
  Transaction tx(db_);
  int64_t doc_id = 0;
  PutOutcome outcome = PutOutcome::added;
  st.find_doc.bind(1, c.id).bind(2, doc.source);
  const bool found = st.find_doc.step();
  if (found) {
    doc_id = st.find_doc.int64(0);
    const bool same = st.find_doc.text(1) == doc.content_hash;
    st.find_doc.reset();
    if (same) return PutOutcome::unchanged;
    outcome = PutOutcome::replaced;
    st.delete_chunks.bind(1, doc_id).run();
    st.delete_chunks.reset();
    st.update_doc.bind(1, doc.content_hash)
        .bind(2, doc.metadata.dump())
        .bind(3, now_utc())
        .bind(4, doc_id)
        .run();
    st.update_doc.reset();
  } else {
    st.find_doc.reset();
    st.insert_doc.bind(1, c.id)
        .bind(2, doc.source)
        .bind(3, doc.content_hash)
        .bind(4, doc.metadata.dump())
        .bind(5, now_utc())
        .run();
    st.insert_doc.reset();
    doc_id = sqlite3_last_insert_rowid(db_);
  }
  std::unordered_map<std::string, int64_t> repeated;  // term → most occurrences in a chunk
  int64_t min_terms = -1;
  Stmt& ins = st.insert_chunk;
  int64_t ordinal = 0;
  for (const auto& ch : doc.chunks) {
    note_bounds(c, ch.title, ch.body, repeated, min_terms);
    ins.bind(1, doc_id).bind(2, c.id).bind(3, ordinal++).bind(4, ch.title).bind(5, ch.body);
    ins.bind(6, ch.location)
        .bind(7, ch.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    ins.run();
    ins.reset();
  }
  save_bounds(c, repeated, min_terms);
  bump_generation();
  tx.commit();
  return outcome;
}

bool KnowledgeBase::remove_document(const Collection& c, const std::string& source) {
  Transaction tx(db_);
  Stmt find(db_, "SELECT id FROM documents WHERE collection_id = ? AND source = ?");
  find.bind(1, c.id).bind(2, source);
  if (!find.step()) return false;
  int64_t id = find.int64(0);
  Stmt(db_, "DELETE FROM chunks WHERE document_id = ?").bind(1, id).run();
  Stmt(db_, "DELETE FROM documents WHERE id = ?").bind(1, id).run();
  bump_generation();
  tx.commit();
  return true;
}

int64_t KnowledgeBase::erase_containing(const std::string& needle) {
  if (needle.empty()) return 0;
  Transaction tx(db_);
  Stmt(db_,
       "DELETE FROM chunks WHERE document_id IN (SELECT id FROM documents WHERE "
       "instr(lower(source), lower(?1)) > 0 OR instr(lower(metadata), lower(?1)) > 0)")
      .bind(1, needle)
      .run();
  int64_t removed = sqlite3_changes(db_);
  Stmt(db_,
       "DELETE FROM documents WHERE instr(lower(source), lower(?1)) > 0 OR "
       "instr(lower(metadata), lower(?1)) > 0")
      .bind(1, needle)
      .run();
  Stmt(db_,
       "DELETE FROM chunks WHERE instr(lower(title), lower(?1)) > 0 OR instr(lower(body), "
       "lower(?1)) > 0 OR instr(lower(fields), lower(?1)) > 0")
      .bind(1, needle)
      .run();
  removed += sqlite3_changes(db_);
  if (removed > 0) bump_generation();
  tx.commit();
  return removed;
}

// Terms per chunk as FTS5 counts them: the same analyzer over title and body.
void KnowledgeBase::note_bounds(const Collection& c, std::string_view title, std::string_view body,
                                std::unordered_map<std::string, int64_t>& repeated,
                                int64_t& min_terms) {
  Analyzer& analyzer = analyzer_for(c);
  std::vector<std::string>& terms = scratch_terms_;
  terms.clear();
  auto collect = [&](std::string_view t, size_t, size_t) {
    terms.emplace_back(t);
    return 0;
  };
  analyzer.analyze(title, collect);
  analyzer.analyze(body, collect);
  const auto n = static_cast<int64_t>(terms.size());
  if (min_terms < 0 || n < min_terms) min_terms = n;
  std::sort(terms.begin(), terms.end());
  for (size_t i = 0; i < terms.size();) {
    size_t j = i + 1;
    while (j < terms.size() && terms[j] == terms[i]) ++j;
    if (const auto run = static_cast<int64_t>(j - i); run > kTfBoundFloor) {
      auto& m = repeated[terms[i]];
      m = std::max(m, run);
    }
    i = j;
  }
}

void KnowledgeBase::save_bounds(const Collection& c,
                                const std::unordered_map<std::string, int64_t>& repeated,
                                int64_t min_terms) {
  Statements& st = statements();
  for (const auto& [term, tf] : repeated) {
    st.bound_tf.bind(1, c.id).bind(2, term).bind(3, tf).run();
    st.bound_tf.reset();
  }
  if (min_terms >= 0) {
    st.bound_len.bind(1, c.id).bind(2, min_terms).run();
    st.bound_len.reset();
  }
}

void KnowledgeBase::optimize(const Collection& c) {
  Transaction tx(db_);
  Stmt valid(db_, "SELECT bounds_valid FROM collections WHERE id = ?");
  valid.bind(1, c.id);
  if (valid.step() && valid.int64(0) == 0) {
    std::unordered_map<std::string, int64_t> repeated;
    int64_t min_terms = -1;
    Stmt chunks(db_, "SELECT title, body FROM chunks WHERE collection_id = ?");
    chunks.bind(1, c.id);
    while (chunks.step()) note_bounds(c, chunks.text(0), chunks.text(1), repeated, min_terms);
    save_bounds(c, repeated, min_terms);
    Stmt(db_, "UPDATE collections SET bounds_valid = 1 WHERE id = ?").bind(1, c.id).run();
  }
  const std::string fts = fts_table_name(c.id);
  exec(db_, "INSERT INTO " + fts + "(" + fts + ") VALUES('optimize')");
  tx.commit();
}

void KnowledgeBase::put_embeddings(const std::string& model, const std::vector<int64_t>& chunk_ids,
                                   const std::vector<std::vector<float>>& vectors) {
  if (chunk_ids.size() != vectors.size()) throw Error("put_embeddings: ids and vectors differ");
  Transaction tx(db_);
  Stmt ins(db_, "INSERT OR REPLACE INTO embeddings(chunk_id, model, dim, vector) VALUES(?,?,?,?)");
  for (size_t i = 0; i < chunk_ids.size(); ++i) {
    ins.bind(1, chunk_ids[i]).bind(2, model).bind(3, static_cast<int64_t>(vectors[i].size()));
    ins.bind_blob(4, vectors[i].data(), vectors[i].size() * sizeof(float));
    ins.run();
    ins.reset();
  }
  bump_generation();
  tx.commit();
}

WriteBatch::WriteBatch(KnowledgeBase& kb, size_t max_chunks, double max_seconds)
    : kb_(kb), max_chunks_(max_chunks), max_seconds_(max_seconds) {}

WriteBatch::~WriteBatch() {
  if (open_) sqlite3_exec(kb_.db(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteBatch::begin() {
  // One connection holds one transaction: a second batch (another Ingester on the same
  // KnowledgeBase) would fail inside SQLite with a message that names neither.
  if (sqlite3_get_autocommit(kb_.db()) == 0)
    throw Error(
        "knowledge base: another write batch is open on this connection (finish() "
        "the first Ingester before starting the next)");
  exec(kb_.db(), "BEGIN IMMEDIATE");
  open_ = true;
  chunks_ = 0;
  started_ = std::chrono::steady_clock::now();
}

PutOutcome WriteBatch::put(const Collection& c, const DocumentInput& doc) {
  if (!open_) begin();
  const PutOutcome outcome = kb_.put_document(c, doc);
  chunks_ += doc.chunks.size();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (chunks_ >= max_chunks_ || elapsed >= max_seconds_) finish();
  return outcome;
}

void WriteBatch::finish() {
  if (!open_) return;
  exec(kb_.db(), "COMMIT");
  open_ = false;
}

}  // namespace tq::rag
