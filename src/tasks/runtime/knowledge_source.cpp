#include "tasks/runtime/knowledge_source.h"

#include "core/error.h"
#include "rag/retriever.h"
#include "rag/sqlite_util.h"
#include "rag/store.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

std::string placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i == 0 ? "?" : ",?";
  return s;
}

// A passage shows the model what the chunk says and, for a catalogue row, its fields
// (price, size, material): the body alone of a row without a description would be empty.
std::string passage_text(const std::string& title, const std::string& body, const json& fields) {
  std::string text = title;
  if (!body.empty()) text += (text.empty() ? "" : "\n") + body;
  if (fields.is_object())
    for (const auto& [k, v] : fields.items()) {
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) continue;
      text +=
          (text.empty() ? "" : "\n") + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
    }
  return text;
}

json record_of(const std::string& title, const std::string& body, const std::string& fields) {
  json r = json::parse(fields, nullptr, false);
  if (!r.is_object()) r = json::object();
  if (!title.empty()) r["title"] = title;
  if (!body.empty()) r["description"] = body;
  return r;
}

}  // namespace

KnowledgeSource::KnowledgeSource(const std::filesystem::path& path, std::vector<std::string> labels)
    : path_(path), labels_(std::move(labels)) {
  if (!std::filesystem::is_regular_file(path))
    throw InputError("knowledge base " + path.string() +
                     " does not exist: build it with `triptyque ingest DOCS/ --kb " +
                     path.string() + "`, or remove tasks.kb from the configuration");
  if (labels_.empty()) throw InputError("tasks.kb_labels is empty: no passage could be read");
  for (const auto& l : labels_) rag::check_label(l);
  kb_ = std::make_unique<rag::KnowledgeBase>(path.string());
  retriever_ = std::make_unique<rag::Retriever>(*kb_);
}

KnowledgeSource::~KnowledgeSource() = default;

std::vector<Passage> KnowledgeSource::retrieve(const std::string& query, int k) {
  rag::SearchOptions o;
  o.k = static_cast<size_t>(std::max(k, 1));
  o.labels = labels_;
  o.with_text = true;
  o.with_snippet = false;
  std::vector<rag::Hit> hits;
  {
    std::lock_guard lock(mutex_);
    hits = retriever_->search(query, o);
  }
  std::vector<Passage> out;
  out.reserve(hits.size());
  for (const auto& h : hits) {
    Passage p;
    p.chunk_id = std::to_string(h.chunk_id);
    p.source = h.source;
    p.location = h.location;
    p.title = h.title;
    p.text = passage_text(h.title, h.text, h.fields);
    p.score = h.score;
    // The hit does not carry its collection's label: the collection's is looked up below.
    p.label = h.collection;
    out.push_back(std::move(p));
  }
  if (!out.empty()) {
    std::lock_guard lock(mutex_);
    for (auto& p : out) {
      const auto c = kb_->find_collection(p.label);
      p.label = c ? c->label : "";
    }
  }
  return out;
}

std::optional<json> KnowledgeSource::record(const std::string& id) {
  const std::string sql =
      "SELECT k.title, k.body, k.fields FROM chunks k"
      " JOIN collections c ON c.id = k.collection_id WHERE c.label IN (" +
      placeholders(labels_.size()) +
      ") AND ? IN (json_extract(k.fields, '$.sku'), json_extract(k.fields, '$.handle'),"
      " json_extract(k.fields, '$.id'), json_extract(k.fields, '$.ref')) ORDER BY k.id LIMIT 1";
  std::lock_guard lock(mutex_);
  rag::Stmt s(kb_->db(), sql);
  int i = 1;
  for (const auto& l : labels_) s.bind(i++, l);
  s.bind(i, id);
  if (!s.step()) return std::nullopt;
  return record_of(s.text(0), s.text(1), s.text(2));
}

std::vector<json> KnowledgeSource::records(const std::string& collection) {
  std::lock_guard lock(mutex_);
  const auto c = kb_->find_collection(collection);
  bool readable = false;
  for (const auto& l : labels_) readable = readable || (c && c->label == l);
  if (!readable)
    throw InputError("no collection \"" + collection + "\" readable by the tasks in " +
                     path_.string() +
                     " (triptyque kb ls lists them; tasks.kb_labels says which "
                     "labels the tasks may read)");
  rag::Stmt s(kb_->db(),
              "SELECT title, body, fields FROM chunks WHERE collection_id = ? ORDER BY id");
  s.bind(1, c->id);
  std::vector<json> out;
  while (s.step()) out.push_back(record_of(s.text(0), s.text(1), s.text(2)));
  return out;
}

}  // namespace tq::tasks
