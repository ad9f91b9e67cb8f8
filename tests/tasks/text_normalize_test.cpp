#include "tasks/classifier/text_normalize.h"

#include <gtest/gtest.h>

namespace tq::tasks {
namespace {

TEST(TextNormalize, FoldsCaseAccentsLigaturesAndPunctuation) {
  EXPECT_EQ(fold_text("Été À LA Plage, s'il vous plaît !"), "ete a la plage s il vous plait");
  EXPECT_EQ(fold_text("Œuf  cœur ÆSIR"), "oeuf coeur aesir");
  EXPECT_EQ(fold_text("ﬁchier Straße"), "fichier strasse");  // compatibility + case folding
  EXPECT_EQ(fold_text("49,90€ ou 10%"), "49 90 € ou 10 %");
  EXPECT_EQ(fold_text("  "), "");
}

TEST(TextNormalize, InvalidUtf8BecomesASeparator) {
  EXPECT_EQ(fold_text("ab\xFF\xFE"
                      "cd"),
            "ab cd");
  EXPECT_EQ(fold_text("caf\xC3"), "caf");  // truncated sequence at the end
}

TEST(TextNormalize, WordsAndCharacters) {
  EXPECT_EQ(fold_words("L'adresse de livraison?"),
            (std::vector<std::string>{"l", "adresse", "de", "livraison"}));
  const auto chars = utf8_chars("a€b");
  ASSERT_EQ(chars.size(), 3U);
  EXPECT_EQ(chars[1], "€");
}

}  // namespace
}  // namespace tq::tasks
