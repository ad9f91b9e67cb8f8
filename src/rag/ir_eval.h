// Retrieval evaluation with the standard measures, on public test collections: the
// Glasgow format (Cranfield, CISI: .I/.T/.A/.B/.W records) and SQuAD-format question
// sets (PIAF, the CNIL FAQ), where the relevant document is the one holding the answer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rag/retriever.h"

namespace tq::rag::eval {

struct IrDocument {
  std::string id;
  std::string title;
  std::string body;
};

struct IrQuery {
  std::string id;  // the key the judgements use for it
  std::string text;
};

// query id → (document id → gain); only relevant documents (gain > 0) are kept.
using Qrels = std::map<std::string, std::map<std::string, double>>;

struct IrCollection {
  std::vector<IrDocument> documents;
  std::vector<IrQuery> queries;
  Qrels qrels;
};

// Glasgow records: `.I id` then fields. Documents keep .T as title and .W as body.
std::vector<IrDocument> read_glasgow_documents(const std::string& path);
// Queries: `position` = true numbers them 1, 2, … in file order (Cranfield's cranqrel
// does), otherwise by their .I label.
std::vector<IrQuery> read_glasgow_queries(const std::string& path, bool by_position);
// format: "cranfield" (`q d grade`, grades 1–4 relevant with gain 5 − grade, -1 not),
// "cisi" (`q d 0 0.0`, binary), "trec" (`q 0 d rel`, rel > 0 relevant, gain = rel).
Qrels read_qrels(const std::string& path, const std::string& format);

// SQuAD: each question's relevant document is its paragraph, the article title indexed
// as the paragraph's title when `index_titles` (as a heading path is for a chunk). When
// articles carry an `id` (the CNIL FAQ), an article is one document judged by that id
// and its title, being the question itself, is never indexed.
IrCollection read_squad(const std::string& path, bool index_titles);

struct Metrics {
  double ndcg10 = 0;
  double map = 0;
  double recall100 = 0;
  double recall5 = 0;
  double mrr10 = 0;
  size_t queries = 0;  // the judged queries averaged over
};

// The measures of one ranking against one query's judgements (gains > 0). MAP uses the
// whole ranking given; nDCG@10's ideal ranking sorts all judged gains.
Metrics score_ranking(const std::vector<std::string>& ranking,
                      const std::map<std::string, double>& judged);

struct EvalOptions {
  AnalyzerOptions analysis{"en", true, true};
  std::optional<Bm25Params> bm25;  // unset: default_bm25(analysis.language)
  PrfParams prf;
  size_t depth = 1000;
};

// Indexes the documents in a scratch store, runs every judged query, averages.
Metrics evaluate(const IrCollection& collection, const EvalOptions& options);

}  // namespace tq::rag::eval
