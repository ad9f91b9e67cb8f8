// One behaviour per test, on short texts written for the purpose (not taken from the
// evaluation sets): each recogniser's formats and the hard negatives beside them.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "guard/scanner.h"

namespace tq::guard {
namespace {

// The (type, text) pairs the scanner reports, in order.
std::vector<std::pair<std::string, std::string>> found(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Entity& e : Scanner().scan(text)) out.emplace_back(type_name(e.type), e.text);
  return out;
}

using Found = std::vector<std::pair<std::string, std::string>>;

TEST(Recognisers, NorthAmericanPhoneFormats) {
  EXPECT_EQ(found("Call (212) 555-0187 today"), (Found{{"PHONE", "(212) 555-0187"}}));
  EXPECT_EQ(found("cell 312-555-0123."), (Found{{"PHONE", "312-555-0123"}}));
  EXPECT_EQ(found("fax 312.555.0123"), (Found{{"PHONE", "312.555.0123"}}));
  EXPECT_EQ(found("dial 1-800-555-0199"), (Found{{"PHONE", "1-800-555-0199"}}));
  EXPECT_EQ(found("+1 (312) 555-0123 ext 4"), (Found{{"PHONE", "+1 (312) 555-0123"}}));
  EXPECT_EQ(found("phone: 312 555 0123"), (Found{{"PHONE", "312 555 0123"}}));
  // Spaces alone, without a word saying it is a phone number, could be anything.
  EXPECT_EQ(found("Batch 312 555 0123 shipped"), Found{});
  EXPECT_EQ(found("Part 123-456-7890"), Found{});  // area code cannot start with 1
}

TEST(Recognisers, UkPhoneFormats) {
  EXPECT_EQ(found("Ring 020 7946 0111."), (Found{{"PHONE", "020 7946 0111"}}));
  EXPECT_EQ(found("Ring 0113 496 0000."), (Found{{"PHONE", "0113 496 0000"}}));
  EXPECT_EQ(found("Mob: 07700 900982"), (Found{{"PHONE", "07700 900982"}}));
  EXPECT_EQ(found("+44 (0)113 496 0000"), (Found{{"PHONE", "+44 (0)113 496 0000"}}));
}

TEST(Recognisers, FrenchPhoneGroupingsAndLookalikes) {
  EXPECT_EQ(found("Tél 01 42 68 53 00"), (Found{{"PHONE", "01 42 68 53 00"}}));
  EXPECT_EQ(found("Genève 022 730 11 11"), (Found{{"PHONE", "022 730 11 11"}}));
  EXPECT_EQ(found("Réf. 0612-3456-78 en stock"), Found{});        // a SKU, not a phone
  EXPECT_EQ(found("Suivi 8R 012 345 6789 0 en cours"), Found{});  // a tracking number
  EXPECT_EQ(found("Contrat 0645881233 résilié"), Found{});
}

TEST(Recognisers, EnglishAddresses) {
  EXPECT_EQ(found("Send it to 12 Harley Street, London W1G 9PF."),
            (Found{{"ADDRESS", "12 Harley Street, London W1G 9PF"}}));
  EXPECT_EQ(found("HQ: 100 Main St, Anytown, NY 12345-6789"),
            (Found{{"ADDRESS", "100 Main St, Anytown, NY 12345-6789"}}));
  EXPECT_EQ(found("Unit 3, 8 Mill Road, Cambridge CB1 2AD"),
            (Found{{"ADDRESS", "Unit 3, 8 Mill Road, Cambridge CB1 2AD"}}));
  EXPECT_EQ(found("She lives at 7 Savile Row now"), (Found{{"ADDRESS", "7 Savile Row"}}));
  EXPECT_EQ(found("We sold 3 Kensington Road Bikes"), Found{});
  EXPECT_EQ(found("Meet the 2 Supreme Court judges"), Found{});
}

TEST(Recognisers, FrenchAddressStillWins) {
  EXPECT_EQ(found("Livraison au 3 bis rue des Lilas, 44000 Nantes."),
            (Found{{"ADDRESS", "3 bis rue des Lilas, 44000 Nantes"}}));
}

TEST(Recognisers, NamesWithParticlesTitlesAndCapitals) {
  EXPECT_EQ(found("Rendez-vous avec Mme de La Rochefoucauld demain."),
            (Found{{"PERSON", "de La Rochefoucauld"}}));
  EXPECT_EQ(found("Call Mr. van der Meer."), (Found{{"PERSON", "van der Meer"}}));
  EXPECT_EQ(found("Dossier de PETITJEAN Sylvie complet."), (Found{{"PERSON", "PETITJEAN Sylvie"}}));
  EXPECT_EQ(found("Contact : Anne-Claire Le Meur"), (Found{{"PERSON", "Anne-Claire Le Meur"}}));
  EXPECT_EQ(found("Passenger SIMON/CAMILLE MS"), (Found{{"PERSON", "SIMON/CAMILLE"}}));
  EXPECT_EQ(found("Mrs J. Whitaker called"), (Found{{"PERSON", "J. Whitaker"}}));
  EXPECT_EQ(found("Dear Professor Okeke,"), (Found{{"PERSON", "Okeke"}}));
}

// Found by fuzz_guard: a title followed by an initial and then a title-like "M." made a
// run of one initial whose end lay before its start (an entity with a negative length).
TEST(Recognisers, RunOfInitialsAloneIsNoName) {
  for (std::string_view text : {"Mme L. De M. des DU", "Mme L. M. Dupuis", "Dear S. M. x"}) {
    size_t prev_end = 0;
    for (const Entity& e : Scanner().scan(text)) {
      EXPECT_LT(e.start, e.end) << text;
      EXPECT_LE(e.end, text.size()) << text;
      EXPECT_GE(e.start, prev_end) << text;
      EXPECT_EQ(e.text, text.substr(e.start, e.end - e.start)) << text;
      prev_end = e.end;
    }
  }
  EXPECT_EQ(found("Mrs J. Whitaker called"), (Found{{"PERSON", "J. Whitaker"}}));
}

TEST(Recognisers, NamesFromSurnamesAndLabels) {
  EXPECT_EQ(found("Approved by Ravi Chopra."), (Found{{"PERSON", "Ravi Chopra"}}));
  EXPECT_EQ(found("Owner: Yusuf Demir"), (Found{{"PERSON", "Yusuf Demir"}}));
  EXPECT_EQ(found("Nom : BARRAULT\nPrénom : Hélène"),
            (Found{{"PERSON", "BARRAULT"}, {"PERSON", "Hélène"}}));
}

TEST(Recognisers, LowerCaseChatNames) {
  EXPECT_EQ(found("salut c'est mathilde, tu as 5 min ?"), (Found{{"PERSON", "mathilde"}}));
  EXPECT_EQ(found("thanks a lot gary"), Found{});  // "a lot" is not a filler we skip
  EXPECT_EQ(found("thanks so much gary"), (Found{{"PERSON", "gary"}}));
  EXPECT_EQ(found("je rappelle madame fournier"), (Found{{"PERSON", "fournier"}}));
  EXPECT_EQ(found("hi grace, any news?"), (Found{{"PERSON", "grace"}}));
  EXPECT_EQ(found("by the grace of god"), Found{});  // a word, not a name
  EXPECT_EQ(found("lucas: ok pour moi"), (Found{{"PERSON", "lucas"}}));
  EXPECT_EQ(found("je m'appelle yann le goff"), (Found{{"PERSON", "yann"}}));
  EXPECT_EQ(found("ask david miller"), (Found{{"PERSON", "david miller"}}));
}

TEST(Recognisers, ProductsAndRolesAreNotNames) {
  EXPECT_EQ(found("2 x Lampe Suzanne laiton"), Found{});
  EXPECT_EQ(found("The Oscar Armchair is back"), Found{});
  EXPECT_EQ(found("la collection Gaspard est en solde"), Found{});
  EXPECT_EQ(found("Dear Valued Customer,"), Found{});
  EXPECT_EQ(found("Cordialement,\nMutuelle Santé Plus"), Found{});
  EXPECT_EQ(found("hi ColorColumn ctermbg=1"), Found{});
  EXPECT_EQ(found("Free Pascal Compiler"), Found{});
}

TEST(Recognisers, SignatureOnTheClosingLine) {
  EXPECT_EQ(found("See you then. Thanks, Jack"), (Found{{"PERSON", "Jack"}}));
  EXPECT_EQ(found("Respectueusement,\nÉloïse Garnier"), (Found{{"PERSON", "Éloïse Garnier"}}));
}

TEST(Recognisers, EmailBeforeAFullStopAndVersionNumbers) {
  EXPECT_EQ(found("Write to ops@example.org."), (Found{{"EMAIL", "ops@example.org"}}));
  EXPECT_EQ(found("firmware 3.2.10.4 is out"), Found{});
  EXPECT_EQ(found("host 10.1.2.3 is down"), (Found{{"IP", "10.1.2.3"}}));
}

TEST(Recognisers, BirthDatesInTheSentence) {
  EXPECT_EQ(found("DOB 03/22/1958"), (Found{{"DATE_OF_BIRTH", "03/22/1958"}}));
  EXPECT_EQ(found("Date of birth?\nsure: 5 May 1971"), (Found{{"DATE_OF_BIRTH", "5 May 1971"}}));
  EXPECT_EQ(found("Né en 1985, embauché le 12/03/2010."), Found{});
}

}  // namespace
}  // namespace tq::guard
