// SQLite FTS5 extensions registered on each knowledge-base connection:
//  - tokenizer "tq": the Analyzer (folding, elisions, Snowball stems, stopwords) with its
//    options given in the table definition: tokenize = 'tq language fr stem 1 stopwords 0';
//  - ranking function tq_bm25(fts, k1, b, 'column weights', 'phrase weights' [, 'idfs']):
//    BM25 with tunable k1/b (FTS5's own bm25() fixes them at 1.2/0.75) and a weight per
//    query phrase, which pseudo-relevance feedback needs to weight expansion terms; a
//    phrase of weight 0 only selects rows; idfs, when given, spare counting each phrase;
//    'LIMIT NORM_MIN THETA', when given, returns kBm25Skipped (sorting last) for rows that
//    cannot be among the LIMIT best nor reach THETA, without reading their length;
//  - tq_stats(fts): "ROWS TOKENS" of the table.
#pragma once

#include <sqlite3.h>

#include <string>

#include "rag/analyzer.h"

namespace tq::rag {

// Registers both on `db`; throws tq::Error when FTS5 is missing.
void register_fts_extensions(sqlite3* db);

// tq_bm25's score for a row it pruned: callers drop such rows.
inline constexpr double kBm25Skipped = -1e300;

// BM25's idf of a term found in `df` of `rows` rows (Lucene's always-positive form).
double bm25_idf(double rows, double df);

// The `tokenize = '…'` argument for a table analysed with `options`.
std::string fts_tokenize_arg(const AnalyzerOptions& options);

}  // namespace tq::rag
