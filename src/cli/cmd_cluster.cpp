// triptyque cluster-keywords: groups the queries of a keyword CSV (a Search Console
// export) into clusters a landing page each should answer (tasks/seo/keyword_clusters.h).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "tasks/seo/keyword_clusters.h"

namespace tq::cli {
namespace {

struct ClusterCliOptions {
  std::string file;
  tasks::ClusterOptions options;
  bool json = false;
};

int run_cluster(const ClusterCliOptions& o) {
  const auto rows = tasks::read_keywords_csv(o.file);
  const auto clusters = tasks::cluster_keywords(rows, o.options);
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : clusters) {
      nlohmann::json queries = nlohmann::json::array();
      for (const auto& q : c.queries)
        queries.push_back(
            {{"query", q.query}, {"clicks", q.clicks}, {"impressions", q.impressions}});
      j.push_back({{"label", c.label},
                   {"top_terms", c.top_terms},
                   {"clicks", c.clicks},
                   {"impressions", c.impressions},
                   {"queries", queries}});
    }
    std::printf("%s\n", nlohmann::json{{"clusters", j}, {"queries", rows.size()}}.dump().c_str());
    return kExitOk;
  }
  std::printf("%zu queries, %zu clusters\n", rows.size(), clusters.size());
  for (const auto& c : clusters) {
    std::string terms;
    for (const auto& t : c.top_terms) terms += (terms.empty() ? "" : ", ") + t;
    std::printf("\n%s  [%s]  %.0f clicks, %.0f impressions\n", c.label.c_str(), terms.c_str(),
                c.clicks, c.impressions);
    for (const auto& q : c.queries)
      std::printf("  %-50s %8.0f %10.0f\n", q.query.c_str(), q.clicks, q.impressions);
  }
  return kExitOk;
}

}  // namespace

Action register_cluster_keywords(CLI::App& app) {
  auto o = std::make_shared<ClusterCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "cluster-keywords", "Group search queries (a Search Console CSV export) into topics");
  cmd->footer(
      "The query column is found by name (query, Requêtes les plus fréquentes, keyword, "
      "mot-clé…), clicks/impressions too.\nExample: triptyque cluster-keywords "
      "examples/shop/keywords.csv");
  cmd->add_option("file", o->file, "Keyword CSV")->required()->check(CLI::ExistingFile);
  cmd->add_option("--threshold", o->options.threshold,
                  "Merge clusters while their average similarity is at least this (0..1; "
                  "higher: smaller clusters)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--language", o->options.language, "Snowball stemmer: french, english…")
      ->capture_default_str();
  cmd->add_flag("--json", o->json,
                "Print {\"clusters\": [{label, top_terms, clicks, "
                "impressions, queries}]}");
  return [o] { return run_cluster(*o); };
}

}  // namespace tq::cli
