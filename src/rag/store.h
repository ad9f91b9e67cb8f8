// The knowledge base's own SQLite file: collections (each with an access label and the
// text analysis of its FTS5 index), documents (idempotent by content hash) and their
// chunks. Every document is written in one transaction, so a killed ingestion leaves the
// store as it was before that document and a re-run picks up where it stopped.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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
  PutOutcome put_document(const Collection& c, const DocumentInput& doc);
  bool remove_document(const Collection& c, const std::string& source);
  // Erasure of a data subject (`triptyque erase --subject`): removes every chunk whose
  // title, body or fields contain `needle` (ASCII case-insensitive), and whole documents
  // whose source or metadata do. Returns the number of chunks removed.
  int64_t erase_containing(const std::string& needle);

 private:
  void migrate();
  void bump_generation();
  sqlite3* db_ = nullptr;
};

std::string fts_table_name(int64_t collection_id);

}  // namespace tq::rag
