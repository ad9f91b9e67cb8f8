// triptyque eval-retrieval: nDCG@10, MAP, Recall@100, Recall@5 and MRR@10 of the
// knowledge base's BM25 retrieval on a public test collection (Glasgow format with its
// qrels, or a SQuAD-format question set), so tuning is measured, not guessed.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "rag/ir_eval.h"

namespace tq::cli {
namespace {

struct EvalRetrievalOptions {
  std::string docs, queries, qrels, qrels_format = "cranfield", squad;
  std::string language = "en";
  std::string stem = "on";
  std::string stopwords = "on";
  bool prf = false;
  bool no_titles = false;
  double k1 = -1, b = -1, title_weight = -1;
  bool json = false;
  rag::eval::EvalOptions eval;
};

int run_eval_retrieval(EvalRetrievalOptions& o) {
  rag::eval::IrCollection c;
  if (!o.squad.empty()) {
    if (!o.docs.empty() || !o.queries.empty()) {
      throw InputError("give either --squad or --docs/--queries/--qrels, not both");
    }
    c = rag::eval::read_squad(o.squad, !o.no_titles);
  } else {
    if (o.docs.empty() || o.queries.empty() || o.qrels.empty()) {
      throw InputError("give --docs, --queries and --qrels (Glasgow format), or --squad FILE");
    }
    c.documents = rag::eval::read_glasgow_documents(o.docs);
    c.queries = rag::eval::read_glasgow_queries(o.queries, o.qrels_format == "cranfield");
    c.qrels = rag::eval::read_qrels(o.qrels, o.qrels_format);
  }
  if (o.stem != "on" && o.stem != "off") throw InputError("--stem takes on or off");
  o.eval.analysis.language = rag::normalize_language(o.language);
  o.eval.analysis.stem = o.stem == "on";
  if (o.stopwords != "on" && o.stopwords != "off") throw InputError("--stopwords takes on or off");
  o.eval.analysis.stopwords = o.stopwords == "on";
  if (o.k1 >= 0 || o.b >= 0 || o.title_weight >= 0) {
    rag::Bm25Params p = rag::default_bm25(o.eval.analysis.language);
    if (o.k1 >= 0) p.k1 = o.k1;
    if (o.b >= 0) p.b = o.b;
    if (o.title_weight >= 0) p.title_weight = o.title_weight;
    o.eval.bm25 = p;
  }
  o.eval.prf.enabled = o.prf;
  auto m = rag::eval::evaluate(c, o.eval);
  if (o.json) {
    nlohmann::json j = {{"ndcg@10", m.ndcg10},
                        {"map", m.map},
                        {"recall@100", m.recall100},
                        {"recall@5", m.recall5},
                        {"mrr@10", m.mrr10},
                        {"queries", m.queries},
                        {"documents", c.documents.size()}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("documents %zu, judged queries %zu\n", c.documents.size(), m.queries);
    std::printf("nDCG@10 %.4f  MAP %.4f  R@100 %.4f  R@5 %.4f  MRR@10 %.4f\n", m.ndcg10, m.map,
                m.recall100, m.recall5, m.mrr10);
  }
  return kExitOk;
}

}  // namespace

Action register_eval_retrieval(CLI::App& app) {
  auto o = std::make_shared<EvalRetrievalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval-retrieval",
      "Measure retrieval (nDCG@10, MAP, Recall@100, Recall@5, MRR@10) on a test collection");
  cmd->add_option("--docs", o->docs, "Documents, Glasgow format (.I/.T/.W), e.g. cran.all.1400");
  cmd->add_option("--queries", o->queries, "Queries, Glasgow format, e.g. cran.qry");
  cmd->add_option("--qrels", o->qrels, "Relevance judgements, e.g. cranqrel");
  cmd->add_option("--qrels-format", o->qrels_format,
                  "cranfield (query by position, grades 1-4), cisi, or trec")
      ->check(CLI::IsMember({"cranfield", "cisi", "trec"}));
  cmd->add_option("--squad", o->squad, "A SQuAD-format question set (PIAF, CNIL FAQ)");
  cmd->add_flag("--no-titles", o->no_titles, "SQuAD: do not index article titles with paragraphs");
  cmd->add_option("--language", o->language, "fr, en or none")->capture_default_str();
  cmd->add_option("--stem", o->stem, "on or off: Snowball stemming")->capture_default_str();
  cmd->add_option("--stopwords", o->stopwords, "on or off: drop the language's function words")
      ->capture_default_str();
  cmd->add_flag("--prf", o->prf, "Pseudo-relevance feedback (RM3)");
  cmd->add_option("--prf-docs", o->eval.prf.docs, "PRF: feedback documents")->capture_default_str();
  cmd->add_option("--prf-terms", o->eval.prf.terms, "PRF: expansion terms")->capture_default_str();
  cmd->add_option("--prf-weight", o->eval.prf.original_weight,
                  "PRF: weight of the original query (0-1)")
      ->capture_default_str();
  cmd->add_option("--k1", o->k1, "BM25 k1 (default: tuned per language, en 2.0, fr 1.2)");
  cmd->add_option("--b", o->b, "BM25 b (default 0.75)");
  cmd->add_option("--title-weight", o->title_weight, "BM25 weight of title terms (en 2, fr 1)");
  cmd->add_flag("--json", o->json,
                "Print {\"ndcg@10\", \"map\", \"recall@100\", \"recall@5\", \"mrr@10\", …}");
  return [o] { return run_eval_retrieval(*o); };
}

}  // namespace tq::cli
