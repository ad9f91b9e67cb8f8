// The classifier on a small hand-written ticket set: it learns, it is deterministic for a
// seed, the model file round-trips exactly, and every kind of damaged file is refused.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "core/error.h"
#include "support/gold.h"
#include "tasks/classifier/text_classifier.h"

namespace tq::tasks {
namespace {

std::vector<LabeledText> tickets() {
  return {
      {"Mon colis n'est toujours pas arrivé", "livraison"},
      {"Où en est la livraison de ma commande ?", "livraison"},
      {"Le transporteur n'a pas livré le colis", "livraison"},
      {"Délai de livraison dépassé, colis introuvable", "livraison"},
      {"Le suivi du colis ne bouge plus depuis 5 jours", "livraison"},
      {"Quand vais-je recevoir mon colis ?", "livraison"},
      {"Je voudrais être remboursé de ma commande", "remboursement"},
      {"Le remboursement n'apparaît pas sur mon compte bancaire", "remboursement"},
      {"Quand serai-je remboursé ?", "remboursement"},
      {"J'attends toujours mon remboursement", "remboursement"},
      {"Remboursement partiel reçu, il manque 10 €", "remboursement"},
      {"Je n'arrive pas à me connecter à mon compte", "compte"},
      {"Mot de passe oublié, impossible de me connecter", "compte"},
      {"Comment supprimer mon compte client ?", "compte"},
      {"Changer l'adresse e-mail de mon compte", "compte"},
      {"Mon compte est bloqué après trois essais", "compte"},
      {"Ma carte bancaire a été refusée au paiement", "paiement"},
      {"Paiement refusé alors que ma carte est valide", "paiement"},
      {"J'ai été débité deux fois pour la même commande", "paiement"},
      {"Puis-je payer en trois fois sans frais ?", "paiement"},
      {"Le paiement par PayPal ne fonctionne pas", "paiement"},
  };
}

TrainOptions small_options() {
  TrainOptions o;
  o.dim = 16;
  o.epochs = 30;
  o.seed = 7;
  return o;
}

TEST(TextClassifier, LearnsTicketCategories) {
  const auto model = TextClassifier::train(tickets(), small_options());
  EXPECT_EQ(model.labels(),
            (std::vector<std::string>{"compte", "livraison", "paiement", "remboursement"}));
  // New phrasings sharing words (and accents or not) with one category each.
  EXPECT_EQ(model.predict("colis pas encore livre")[0].label, "livraison");
  EXPECT_EQ(model.predict("REMBOURSEMENT toujours pas reçu")[0].label, "remboursement");
  EXPECT_EQ(model.predict("impossible de se connecter, mot de passe perdu")[0].label, "compte");
  EXPECT_EQ(model.predict("carte refusée lors du paiement")[0].label, "paiement");
}

TEST(TextClassifier, TopKIsSortedAndSumsToOne) {
  const auto model = TextClassifier::train(tickets(), small_options());
  const auto top = model.predict("colis", 10);
  ASSERT_EQ(top.size(), 4U);  // clipped to the label count
  double sum = 0;
  for (size_t i = 0; i < top.size(); ++i) {
    sum += top[i].probability;
    if (i > 0) {
      EXPECT_GE(top[i - 1].probability, top[i].probability);
    }
  }
  EXPECT_NEAR(sum, 1.0, 1e-5);
  // A text with no known feature still gets an answer (the labels' prior), never a crash.
  EXPECT_EQ(model.predict("zzzz qqqq", 1).size(), 1U);
  EXPECT_EQ(model.predict("", 1).size(), 1U);
}

TEST(TextClassifier, SameSeedSameModelOtherSeedOtherModel) {
  const auto a = TextClassifier::train(tickets(), small_options());
  const auto b = TextClassifier::train(tickets(), small_options());
  EXPECT_EQ(a.to_bytes(), b.to_bytes());
  TrainOptions o = small_options();
  o.seed = 8;
  EXPECT_NE(TextClassifier::train(tickets(), o).to_bytes(), a.to_bytes());
}

TEST(TextClassifier, EnsembleTrainsModelsInParallel) {
  TrainOptions o = small_options();
  o.ensemble = 2;
  const auto model = TextClassifier::train(tickets(), o);
  EXPECT_EQ(model.ensemble_size(), 2U);
  EXPECT_EQ(model.predict("colis pas encore livre")[0].label, "livraison");
  EXPECT_EQ(TextClassifier::train(tickets(), o).to_bytes(), model.to_bytes());
}

TEST(TextClassifier, SaveLoadRoundTripGivesIdenticalPredictions) {
  const auto model = TextClassifier::train(tickets(), small_options());
  const auto path = (test::scratch_dir("classifier_roundtrip") / "m.tqc").string();
  model.save(path);
  const auto loaded = TextClassifier::load(path);
  EXPECT_EQ(loaded.to_bytes(), model.to_bytes());
  for (const char* text : {"colis perdu", "mot de passe", "payer en 3 fois", "", "€€€"}) {
    const auto p = model.predict(text, 4);
    const auto q = loaded.predict(text, 4);
    ASSERT_EQ(p.size(), q.size());
    for (size_t i = 0; i < p.size(); ++i) {
      EXPECT_EQ(p[i].label, q[i].label);
      EXPECT_EQ(p[i].probability, q[i].probability);  // bit-identical
    }
  }
  const EvalResult r = loaded.evaluate(tickets());
  EXPECT_EQ(r.n, tickets().size());
  EXPECT_EQ(r.unknown_labels, 0U);
}

// FNV-1a 64 as the format documents it, to forge files whose checksum is right but whose
// content is not.
uint64_t fnv1a(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string with_checksum(std::string body) {
  const uint64_t h = fnv1a(body);
  char buf[8];
  std::memcpy(buf, &h, 8);
  body.append(buf, 8);
  return body;
}

void expect_refused(const std::string& bytes, const std::string& what_contains) {
  try {
    (void)TextClassifier::from_bytes(bytes, "m.tqc");
    ADD_FAILURE() << "accepted a bad model (" << what_contains << ")";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(what_contains), std::string::npos) << e.what();
  }
}

TEST(TextClassifier, CorruptModelFilesAreRefusedWithAClearError) {
  const std::string good = TextClassifier::train(tickets(), small_options()).to_bytes();
  expect_refused("", "not a triptyque classifier model");
  expect_refused("GGUF\3 some other file", "not a triptyque classifier model");
  // Every truncation point.
  for (size_t len = 8; len < good.size(); len += 1 + len / 7)
    expect_refused(good.substr(0, len), "m.tqc");
  // One flipped bit anywhere after the magic.
  for (size_t pos : {size_t{9}, size_t{40}, good.size() / 2, good.size() - 1}) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x10);
    expect_refused(bad, "m.tqc");
  }
  // A newer version.
  std::string v2 = good;
  v2[8] = 2;
  expect_refused(v2, "version 2");
  // Right checksum, absurd header: a label count far beyond the file.
  std::string body = good.substr(0, good.size() - 8);
  const uint32_t huge = 0x7fffffff;
  std::memcpy(body.data() + 8 + 4 * 6, &huge, 4);  // magic, version, dim, 3 feature fields, models
  expect_refused(with_checksum(body), "label count larger than the file");
  // Right checksum, a NaN weight.
  body = good.substr(0, good.size() - 8);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(body.data() + body.size() - 4, &nan, 4);
  expect_refused(with_checksum(body), "non-finite");
}

TEST(TextClassifier, LoadErrorsNameTheFile) {
  const auto dir = test::scratch_dir("classifier_load");
  EXPECT_THROW((void)TextClassifier::load((dir / "missing.tqc").string()), InputError);
  std::ofstream((dir / "junk.tqc").string()) << "hello";
  EXPECT_THROW((void)TextClassifier::load((dir / "junk.tqc").string()), InputError);
}

TEST(TextClassifier, BadTrainingInputIsAnInputError) {
  EXPECT_THROW((void)TextClassifier::train({}, TrainOptions{}), InputError);
  TrainOptions o = small_options();
  o.features.min_char_ngram = 6;  // > max
  EXPECT_THROW((void)TextClassifier::train(tickets(), o), InputError);
}

}  // namespace
}  // namespace tq::tasks
