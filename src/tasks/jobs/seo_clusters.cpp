// seo_clusters: a keyword list (a Search Console export, or rows) → clusters of queries that
// one landing page should answer (seo/keyword_clusters.h), each with a label and the page of
// the knowledge base that answers it best. No model is needed: the clustering is lexical and
// the landing page comes from retrieval over the cluster's own queries.
#include <algorithm>
#include <map>

#include "core/error.h"
#include "tasks/jobs/registry.h"
#include "tasks/jobs/text.h"
#include "tasks/seo/keyword_clusters.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

// Queries of a cluster searched for its landing page (the most seen first).
constexpr size_t kQueriesPerCluster = 5;

json input_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "csv": {"type": "string", "minLength": 1, "maxLength": 5000000},
      "keywords": {"type": "array", "minItems": 1, "maxItems": 5000, "items": {"anyOf": [
        {"type": "string", "minLength": 1, "maxLength": 500},
        {"type": "object",
         "properties": {"query": {"type": "string", "minLength": 1, "maxLength": 500},
                        "clicks": {"type": "number", "minimum": 0},
                        "impressions": {"type": "number", "minimum": 0}},
         "required": ["query"]}]}},
      "threshold": {"type": "number", "minimum": 0.05, "maximum": 1},
      "language": {"enum": ["fr", "en"]},
      "landing_pages": {"type": "boolean"},
      "max_clusters": {"type": "integer", "minimum": 1, "maximum": 5000}
    },
    "anyOf": [{"required": ["csv"]}, {"required": ["keywords"]}],
    "additionalProperties": false
  })");
}

json output_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "clusters": {"type": "array", "items": {
        "type": "object",
        "properties": {
          "label": {"type": "string", "minLength": 1},
          "top_terms": {"type": "array", "items": {"type": "string"}},
          "queries": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "clicks": {"type": "number"},
                           "impressions": {"type": "number"}},
            "required": ["query", "clicks", "impressions"]}},
          "clicks": {"type": "number"},
          "impressions": {"type": "number"},
          "landing_page": {"type": ["object", "null"],
            "properties": {"chunk_id": {"type": "string"}, "source": {"type": "string"},
                           "location": {"type": "string"}, "title": {"type": "string"},
                           "score": {"type": "number", "minimum": 0, "maximum": 1},
                           "matched_queries": {"type": "integer", "minimum": 1}},
            "required": ["chunk_id", "source", "location", "title", "score",
                         "matched_queries"]}
        },
        "required": ["label", "top_terms", "queries", "clicks", "impressions", "landing_page"]}},
      "queries": {"type": "integer", "minimum": 0},
      "clusters_without_page": {"type": "integer", "minimum": 0}
    },
    "required": ["clusters", "queries", "clusters_without_page"]
  })");
}

std::vector<KeywordRow> keyword_rows(const json& in) {
  if (in.contains("csv")) return parse_keywords_csv(in["csv"].get<std::string>(), "input csv");
  std::vector<KeywordRow> rows;
  for (const auto& k : in["keywords"]) {
    if (k.is_string()) {
      rows.push_back({k.get<std::string>(), 0, 0});
    } else {
      rows.push_back(
          {k["query"].get<std::string>(), k.value("clicks", 0.0), k.value("impressions", 0.0)});
    }
  }
  return rows;
}

// The share of the query's content words that the passage's title holds (words of 5+
// letters that start alike count, as in shares_content_word: "ampoule"/"ampoules"). A page
// whose title names what was searched (a product, a policy) is a landing page; a long FAQ
// or policy that mentions it in passing is not.
double title_overlap(const std::string& query, const std::string& title) {
  const auto q = content_words(query);
  if (q.empty()) return 0;
  const auto t = content_words(title);
  auto alike = [](const std::string& a, const std::string& b) {
    return a == b || (a.size() >= 5 && b.size() >= 5 && a.compare(0, 5, b, 0, 5) == 0);
  };
  size_t shared = 0;
  for (const auto& w : q)
    shared +=
        std::any_of(t.begin(), t.end(), [&](const std::string& x) { return alike(w, x); }) ? 1 : 0;
  return static_cast<double>(shared) / static_cast<double>(q.size());
}

// The passage the cluster's queries agree on. Each of its most seen queries is searched;
// a passage scores the sum over those queries of its BM25 score relative to that query's
// best, halved unless its title holds the query's words, weighted by the query's share of
// the cluster's impressions — the page should answer what people search most, and a
// passage that fits one query strongly beats one that fits several weakly. Passages under the
// relevance floor or sharing no content word with the query do not count, as in support_answer: a
// cluster with no such passage gets no landing page rather than a wrong one.
json landing_page(const KeywordCluster& c, const TaskContext& ctx) {
  struct Candidate {
    Passage passage;
    double score = 0;
    int matched = 0;
    bool titled = false;  // its title holds a word of one of the queries
  };
  const size_t n = std::min(c.queries.size(), kQueriesPerCluster);
  double total_weight = 0;
  for (size_t q = 0; q < n; ++q) total_weight += c.queries[q].impressions + 1;
  std::map<std::string, Candidate> by_chunk;
  for (size_t q = 0; q < n; ++q) {
    const std::string& query = c.queries[q].query;
    const double weight = (c.queries[q].impressions + 1) / total_weight;
    const auto passages = ctx.retrieve(query, ctx.retrieve_k);
    const double best = passages.empty() ? 0 : passages.front().score;
    for (const auto& p : passages) {
      if (p.score < ctx.relevance_floor || best <= 0) continue;
      if (ctx.require_term_overlap && !shares_content_word(query, p.title + " " + p.text)) continue;
      auto& cand = by_chunk[p.chunk_id];
      if (cand.matched == 0) cand.passage = p;
      const double in_title = title_overlap(query, p.title);
      cand.score += weight * (p.score / best) * (1 + in_title) / 2;
      cand.titled = cand.titled || in_title > 0;
      ++cand.matched;
    }
  }
  const Candidate* top = nullptr;
  for (const auto& [id, cand] : by_chunk)
    if (cand.titled && (top == nullptr || cand.score > top->score)) top = &cand;
  if (top == nullptr) return nullptr;
  return {{"chunk_id", top->passage.chunk_id},
          {"source", top->passage.source},
          {"location", top->passage.location},
          {"title", top->passage.title},
          {"score", top->score},
          {"matched_queries", top->matched}};
}

json run(const json& in, const TaskContext& ctx, TaskResult& /*result*/) {
  ClusterOptions options;
  options.threshold = in.value("threshold", options.threshold);
  if (in.value("language", "fr") == "en") options.language = "english";
  const auto rows = keyword_rows(in);
  if (rows.empty()) throw InputError("seo_clusters: the keyword list is empty");
  auto clusters = cluster_keywords(rows, options);
  if (in.contains("max_clusters"))
    clusters.resize(std::min(clusters.size(), in["max_clusters"].get<size_t>()));
  const bool pages = in.value("landing_pages", true) && static_cast<bool>(ctx.retrieve);
  json out = json::array();
  int without_page = 0;
  for (const auto& c : clusters) {
    json queries = json::array();
    for (const auto& q : c.queries)
      queries.push_back({{"query", q.query}, {"clicks", q.clicks}, {"impressions", q.impressions}});
    json page = pages ? landing_page(c, ctx) : json(nullptr);
    without_page += page.is_null() ? 1 : 0;
    out.push_back({{"label", c.label},
                   {"top_terms", c.top_terms},
                   {"queries", queries},
                   {"clicks", c.clicks},
                   {"impressions", c.impressions},
                   {"landing_page", page}});
  }
  size_t n_queries = 0;
  for (const auto& c : clusters) n_queries += c.queries.size();
  return {{"clusters", out}, {"queries", n_queries}, {"clusters_without_page", without_page}};
}

}  // namespace

TaskSpec seo_clusters_task() {
  TaskSpec spec{"seo_clusters",
                "Groups search queries (a Search Console CSV export, or a list) into clusters "
                "that one landing page should answer, each with a label and the knowledge-base "
                "page that answers it best. Needs no model.",
                input_schema(),
                output_schema(),
                "csv",
                run};
  spec.needs_model = false;
  return spec;
}

}  // namespace tq::tasks
