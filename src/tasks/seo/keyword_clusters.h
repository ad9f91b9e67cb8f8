// SEO keyword clustering: a keyword list (a Search Console export: query, clicks,
// impressions, CTR, position) grouped into clusters of queries that a single landing page
// should answer. No model needed: queries are folded (text_normalize.h), stop words are
// dropped, words are stemmed (Snowball, French by default) and compared by the cosine of
// their IDF-weighted stems blended with the cosine of their character trigrams (plurals,
// typos, glued words). Average-linkage agglomerative clustering merges the most similar
// pair of clusters until no pair is similar enough.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tq::tasks {

struct KeywordRow {
  std::string query;
  double clicks = 0;
  double impressions = 0;
};

struct KeywordCluster {
  std::string label;                   // the most representative query (medoid)
  std::vector<std::string> top_terms;  // the cluster's most shared words
  std::vector<KeywordRow> queries;     // by impressions, descending
  double clicks = 0;
  double impressions = 0;
};

struct ClusterOptions {
  // Merge while the average similarity between two clusters is at least this (0..1).
  double threshold = 0.3;
  // Weight of the stem cosine; the rest goes to the character-trigram cosine.
  double stem_weight = 0.7;
  std::string language = "french";  // a Snowball stemmer name: french, english, ...
  size_t top_terms = 3;
};

// Reads a keyword CSV: the query column is found by name (query, requête, keyword,
// mot-clé, "top queries", search term…) else the first column of text; clicks and
// impressions by name (clics/clicks, impressions) and are 0 when absent. Numbers may be
// written "1 234", "1,234" or "1234". Throws InputError naming the file and line.
std::vector<KeywordRow> parse_keywords_csv(std::string_view data, std::string_view source);
std::vector<KeywordRow> read_keywords_csv(const std::string& path);

// Clusters, by total impressions (then clicks) descending; every query is in exactly one
// cluster; duplicate queries (same folded text) are merged into one row first.
std::vector<KeywordCluster> cluster_keywords(const std::vector<KeywordRow>& keywords,
                                             const ClusterOptions& options = {});

}  // namespace tq::tasks
