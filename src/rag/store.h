// The knowledge base's own SQLite file: collections (each with an access label and the
// text analysis of its FTS5 index), documents (idempotent by content hash) and their
// chunks. Every document is written in one transaction, so a killed ingestion leaves the
// store as it was before that document and a re-run picks up where it stopped.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rag/analyzer.h"

namespace tq::rag {

// Access labels, in increasing sensitivity.
inline constexpr const char* kLabels[] = {"public", "internal", "confidential"};
// Throws InputError unless `label` is one of kLabels.
std::string check_label(const std::string& label);

struct Collection {
  int64_t id = 0;
  std::string name;
  std::string label = "internal";
  AnalyzerOptions analysis;
  int64_t documents = 0;
  int64_t chunks = 0;
};

struct ChunkInput {
  std::string title;     // document title / heading path: indexed, weighted apart
  std::string body;      // the text itself
  std::string location;  // for citations: "§ Livraison > Délais", "page 3", "row 12"
  nlohmann::json fields = nlohmann::json::object();  // structured fields (price, SKU…)
};

struct DocumentInput {
  std::string source;        // path or id, unique within the collection
  std::string content_hash;  // of the raw file
  nlohmann::json metadata = nlohmann::json::object();
  std::vector<ChunkInput> chunks;
};

enum class PutOutcome { added, replaced, unchanged };

// The SQL of each schema version, in order; opening a store applies the missing ones.
const std::vector<std::string>& schema_migrations();

class KnowledgeBase {
 public:
  // Opens or creates `path` (":memory:" for a scratch store) and migrates it forward.
  explicit KnowledgeBase(const std::string& path);
  ~KnowledgeBase();
  KnowledgeBase(const KnowledgeBase&) = delete;
  KnowledgeBase& operator=(const KnowledgeBase&) = delete;

  sqlite3* db() const { return db_; }
  int schema_version() const;
  // Bumped by every change to the indexed content; derived indexes (HNSW) record the
  // generation they reflect to know when they are stale.
  int64_t generation() const;

  // Creates the collection, or returns it when it exists with the same analysis (a
  // different label updates the label; a different analysis is an InputError).
  Collection ensure_collection(const std::string& name, const std::string& label,
                               const AnalyzerOptions& analysis);
  std::optional<Collection> find_collection(const std::string& name) const;
  std::vector<Collection> collections() const;
  bool remove_collection(const std::string& name);

  // Does the document with this source already hold this hash?
  bool is_current(const Collection& c, const std::string& source, const std::string& hash) const;
  // Writes the document and its chunks in one transaction (a savepoint when the caller
  // holds one, e.g. a WriteBatch). Also keeps the collection's score bounds: the fewest
  // terms in any chunk and, for terms repeated more than kTfBoundFloor times in a chunk,
  // the most repetitions — upper bounds that let BM25 skip chunks that cannot reach the
  // top k (retriever.cpp). Bounds only ever loosen, so deletions keep them valid.
  PutOutcome put_document(const Collection& c, const DocumentInput& doc);
  bool remove_document(const Collection& c, const std::string& source);
  // Erasure of a data subject (`triptyque erase --subject`): removes every chunk whose
  // title, body or fields contain `needle` (ASCII case-insensitive), and whole documents
  // whose source or metadata do. Returns the number of chunks removed.
  int64_t erase_containing(const std::string& needle);

  // Maintenance after bulk loads: merges the collection's FTS5 segments into one (fewer
  // doclist pieces per query term) and computes the score bounds of a collection that
  // has none (a store migrated from schema 2), so that its searches are pruned.
  void optimize(const Collection& c);

  // Stores (or replaces) the embeddings of these chunks for `model`, in one transaction.
  void put_embeddings(const std::string& model, const std::vector<int64_t>& chunk_ids,
                      const std::vector<std::vector<float>>& vectors);

 private:
  struct Statements;
  void migrate();
  void bump_generation();
  Analyzer& analyzer_for(const Collection& c);
  // Term statistics of one chunk into `repeated` (term → most occurrences) and `min_terms`.
  void note_bounds(const Collection& c, std::string_view title, std::string_view body,
                   std::unordered_map<std::string, int64_t>& repeated, int64_t& min_terms);
  void save_bounds(const Collection& c, const std::unordered_map<std::string, int64_t>& repeated,
                   int64_t min_terms);
  Statements& statements();
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> statements_;
  std::unordered_map<int64_t, std::unique_ptr<Analyzer>> analyzers_;
  std::vector<std::string> scratch_terms_;
};

// A term absent from the tf_bounds table occurs at most this often in any chunk.
inline constexpr int64_t kTfBoundFloor = 2;

// Groups many put_document calls into one commit, every `max_chunks` chunks or
// `max_seconds`: committing (and flushing FTS5's pending index) per small file dominates
// ingestion otherwise. A crash loses at most the open group; a re-run redoes it, since
// its documents' hashes were not committed either. finish() commits; destruction without
// it rolls the open group back.
class WriteBatch {
 public:
  explicit WriteBatch(KnowledgeBase& kb, size_t max_chunks = 20000, double max_seconds = 1.0);
  ~WriteBatch();
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;
  // put_document inside the open group; commits when the group is due.
  PutOutcome put(const Collection& c, const DocumentInput& doc);
  void finish();

 private:
  void begin();
  KnowledgeBase& kb_;
  size_t max_chunks_;
  double max_seconds_;
  size_t chunks_ = 0;
  bool open_ = false;
  std::chrono::steady_clock::time_point started_;
};

std::string fts_table_name(int64_t collection_id);

}  // namespace tq::rag
