#include "guard/first_names.h"

#include <string>
#include <unordered_set>
#include <vector>

namespace tq::guard {
namespace {

// Space-separated so the lists read as lists.
constexpr std::string_view kFrench =
    "Adèle Adrien Agathe Agnès Aimé Alain Albert Alexandre Alexandra Alexis Alice Aline "
    "Alix Amandine Amélie Anaïs André Andrée Angèle Angélique Anne Annabelle Annie "
    "Anthony Antoine Antonin Apolline Armand Arnaud Arthur Aude Audrey Augustin Aurélie "
    "Aurélien Axel Baptiste Barbara Bastien Béatrice Benjamin Benoît Bernadette Bernard "
    "Bertrand Blanche Brigitte Bruno Camille Capucine Carole Caroline Catherine Cécile "
    "Céline Chantal Charles Charlotte Chloé Christelle Christian Christiane Christine "
    "Christophe Claire Clara Claude Claudine Clément Clémence Clémentine Coralie Corentin "
    "Corinne Cyril Cyrille Damien Daniel Danielle Delphine Denis Denise Didier Dominique "
    "Dylan Édith Edouard Édouard Élise Élodie Éloïse Émile Émilie Emma Emmanuel "
    "Emmanuelle Enzo Éric Estelle Étienne Eugène Eugénie Éva Evelyne Fabien Fabienne "
    "Fabrice Fanny Félix Florian Florence Francis Franck François Françoise Frédéric "
    "Frédérique Gabriel Gabrielle Gaël Gaëlle Gaétan Gaston Geneviève Georges Gérald "
    "Gérard Germaine Ghislaine Gilbert Gilles Ginette Guillaume Guy Gwenaëlle Hélène "
    "Henri Henriette Hervé Hugo Hugues Inès Irène Isabelle Jacqueline Jacques Jade "
    "Jean Jeanne Jérémy Jérôme Jocelyne Joël Joëlle Jonathan Joseph Josette Josiane "
    "Jules Julie Julien Juliette Justine Karine Kévin Laetitia Laëtitia Laure Laurence "
    "Laurent Léa Léo Léon Léonie Liliane Lina Lise Lola Lou Louis Louise Luc Lucas Lucie "
    "Lucien Lucienne Ludovic Madeleine Maël Maëlle Magali Manon Marc Marcel Marcelle "
    "Margaux Marguerite Marie Marine Marion Marius Marthe Martin Martine Mathéo Mathias "
    "Mathieu Mathilde Matthieu Maurice Maxime Mélanie Mélissa Michel Micheline Michèle "
    "Mireille Monique Morgane Muriel Mylène Nadia Nadine Nathalie Nathan Nicolas Nicole "
    "Noah Noé Noémie Océane Odette Odile Olivier Pascal Pascale Patrice Patricia Patrick "
    "Paul Paulette Pauline Perrine Philippe Pierre Quentin Raphaël Raymond Rémi Rémy "
    "Renaud René Renée Robert Roger Romain Romane Rose Sabine Sacha Samuel Sandrine "
    "Sarah Sébastien Serge Simone Solange Sophie Stéphane Stéphanie Suzanne Sylvain "
    "Sylvie Théo Théodore Thérèse Thibault Thibaut Thierry Thomas Timothée Tristan "
    "Valentin Valentine Valérie Véronique Victor Victoire Vincent Virginie Vivienne "
    "Xavier Yann Yannick Yves Yvette Yvonne Zoé Mohamed Mehdi Karim Sofiane Yasmine "
    "Nour Inaya Ayoub Ibrahim Fatima Samia Leïla Rachid Farid Nabil Amine Bilal Kenza "
    // Born since 2000 and older names the list above lacked.
    "Simon Jérémie Rodolphe Jean-Christophe Jean-Sébastien Mathis Mathys Timéo Nolan Evan Ethan "
    "Éthan Rayan Kylian Maxence Gabin Nino Ilyes "
    "Malo Lenny Marceau Esteban Thibaud Gaspard Eliott Elliot Loïc Loic Erwan Ewen "
    "Killian Dorian Florent Grégory Grégoire Jordan Kevin Mickaël Michaël Cédric Lionel "
    "Régis Jacky Roland Fernand Gautier Alban Aymeric Bastien Benoit Brice Boris Cyprien "
    "Damien Dimitri Eddy Elie Élie Émilien Fabian Firmin Gilles Gonzague Hadrien Hector "
    "Honoré Ivan Jean-Baptiste Jean-Charles Jean-Claude Jean-François Jean-Jacques "
    "Jean-Louis Jean-Luc Jean-Marc Jean-Marie Jean-Michel Jean-Paul Jean-Philippe "
    "Jean-Pierre Jean-Yves Josselin Julian Kilian Landry Léandre Léonard Lilian Loan "
    "Lohan Lorenzo Louka Luka Marin Mattéo Matteo Maximilien Melvin Milo Naël Nathanaël "
    "Octave Pierre-Alexandre Pierre-Antoine Pierre-Louis Pierre-Yves Pierrick Rémy "
    "Ruben Sylvestre Tanguy Teddy Titouan Tom Tony Ulysse Valentin Vianney Wilfried "
    "Yoann Yohan Youenn Yannis Anne-Laure Anne-Marie Anne-Sophie Marie-Anne "
    "Marie-Christine Marie-Claude Marie-France Marie-Hélène Marie-José Marie-Laure "
    "Marie-Noëlle Marie-Pierre Marie-Thérèse Lina Léna Anna Mila Julia Mia Iris Nina "
    "Eva Margot Louna Lya Maëlys Salomé Elsa Elise Laura Ophélie Aurore Emeline Émeline "
    "Gwendoline Jennifer Jessica Vanessa Cindy Sabrina Colette Annick Séverine Élisabeth "
    "Elisabeth Murielle Bérénice Héloïse Maud Solène Anaëlle Albane Alexia Alicia "
    "Amandine Ange Anouk Apolline Armelle Astrid Axelle Bénédicte Candice Capucine "
    "Cassandra Clotilde Constance Daphné Diane Dorothée Edwige Éléonore Eléonore Elina "
    "Éloïse Elsa Emy Fleur Flavie Gisèle Hortense Huguette Ilona Inès Isaure Jeanine "
    "Josephine Joséphine Laurine Léana Léonie Lilou Lisa Loane Lorène Louane Lucile "
    "Ludivine Lysiane Maelle Maëva Marceline Marjorie Maryse Maryline Mathilde Maude "
    "Mélina Mélodie Mia Nadège Naïs Nolwenn Noëlle Noémie Ondine Paloma Pénélope Rachel "
    "Raphaëlle Régine Rosalie Roseline Sabine Ségolène Servane Sixtine Soline Sonia "
    "Tiphaine Typhaine Ursule Vanina Violaine Yolande Zélie "
    // Maghreb, West Africa, Turkey: common among French citizens and residents.
    "Mohammed Muhammad Ahmed Ahmad Ali Omar Youssef Yousef Youcef Hamza Ilyès Said Saïd "
    "Samir Walid Khalid Hicham Hassan Hussein Abdel Abdelkader Abdellah Abdallah Abdullah "
    "Abdul Abdou Abdoulaye Mamadou Moussa Ousmane Ibrahima Amadou Cheikh Modou Souleymane "
    "Boubacar Seydou Lamine Idrissa Malik Yassine Yanis Anis Adel Fares Farès Nassim "
    "Zakaria Ismaël Ismail Soufiane Tarik Tarek Redouane Mourad Mustapha Mustafa Kamel "
    "Jamel Djamel Salim Slimane Aziz Hakim Hédi Hedi Sami Nadir Riad Riyad Reda Réda "
    "Yacine Younes Younès Mounir Nordine Noureddine Abderrahmane Aymen Ayman Brahim "
    "Aïcha Aicha Fatou Awa Aminata Mariam Myriam Sofia Imane Sana Salma Amira Rania "
    "Hanane Naïma Naima Malika Khadija Zineb Zohra Houda Samira Karima Farida Djamila "
    "Leila Nawel Nesrine Sarra Wassila Yamina Meriem Asma Dounia Ikram Kadiatou "
    "Aïssatou Fatoumata Mariama Oumou Adama Bakary Sekou Sékou Issa Aliou Alioune Binta "
    "Emre Mehmet Murat Burak Yusuf Ahmet Hakan Kemal Elif Zeynep Ayşe Fatma Emine";

constexpr std::string_view kEnglish =
    "Aaron Abigail Adam Alan Albert Alexander Alice Alison Amanda Amber Amelia Amy Andrew "
    "Angela Ann Anna Anne Anthony Arthur Ashley Barbara Benjamin Beth Betty Bethany Brandon "
    "Brenda Brian Bruce Bryan Carl Carol Caroline Catherine Charles Charlie Charlotte "
    "Chloe Chris Christina Christine Christopher Claire Daniel Danielle David Deborah "
    "Dennis Diana Diane Donald Donna Dorothy Douglas Dylan Edward Eleanor Elizabeth Ella "
    "Ellie Emily Emma Eric Ethan Eugene Evelyn Frances Frank Gary George Gerald Gloria "
    "Grace Gregory Hannah Harold Harry Heather Helen Henry Isabella Isaac Jack Jacob James Jane "
    "Janet Jason Jean Jeffrey Jennifer Jeremy Jessica Joan Joe John Jonathan Joseph Joshua "
    "Joyce Judith Julia Julie Justin Karen Katherine Kathleen Kathryn Keith Kelly Kenneth "
    "Kevin Kimberly Kyle Larry Laura Lauren Lawrence Leo Liam Lily Linda Lisa Logan Louis "
    "Lucy Madison Margaret Maria Marie Marilyn Martha Mary Matthew Megan Melissa Michael "
    "Michelle Nancy Natalie Nathan Nicholas Nicole Noah Oliver Olivia Oscar Pamela "
    "Patricia Patrick Paul Peter Philip Rachel Ralph Raymond Rebecca Richard Robert Roger "
    "Ronald Ruth Ryan Samantha Samuel Sandra Sara Sarah Scott Sean Sharon Shirley Sophia "
    "Sophie Stephanie Stephen Steven Susan Teresa Terry Thomas Timothy Tyler Victoria "
    "Vincent Walter Wayne William Zachary Emily Harriet Imogen Jessica Katie Lewis Mia "
    "Ava Noah Ruby Poppy Freya Archie Alfie Theo Isla Evie Oscar Harvey Callum Connor "
    "Declan Fiona Gavin Graham Iain Ian Kieran Lachlan Malcolm Morgan Neil Nigel Owen "
    "Rhys Rory Ross Stuart Trevor Wendy Yvonne Zoe Jake Kate Tom Tim Ben Sam Dan Nick "
    "Aiden Alexis Alyssa Andrea Anita Annie Austin Bailey Becky Beverly Billy Bobby "
    "Bradley Brendan Brett Brittany Brooke Caitlin Caleb Cameron Carolyn Carrie Cassandra "
    "Chad Charlene Cheryl Christian Cindy Clare Clara Colin Courtney Craig Curtis Cynthia "
    "Dana Darren Dave Debbie Denise Derek Dominic Don Doris Dustin Eddie Edwin Elaine "
    "Elijah Elliot Emmett Erica Erin Esther Eva Evan Felicity Francis Fred Frederick "
    "Gabriel Gemma Geoffrey Gina Glenn Gordon Greg Hailey Harrison Hayley Heidi Howard "
    "Hugh Irene Isabel Isabelle Jackie Jacqueline Jamie Janice Jared Jasmine Jeff Jenna "
    "Jenny Jerry Jesse Jill Jim Jimmy Joanna Joanne Jodie Joel Jon Jordan Josephine Josh "
    "Julian Kaitlyn Karl Kayla Keira Ken Kerry Kim Kirsty Kristen Kurt Lance Leah Lee "
    "Leon Leslie Lesley Lindsay Lorna Louise Luke Lydia Lynn Maddie Maisie Marcus Marion "
    "Marjorie Matt Maureen Maxine Meghan Melanie Mike Millie Mitchell Molly Monica Nadine "
    "Naomi Nathaniel Nina Norman Paige Pauline Penelope Phil Phoebe Phillip Rachael Randy "
    "Rebekah Reece Regina Rhiannon Rick Rita Robyn Rodney Roland Ron Rosie Roy Russell "
    "Sally Seamus Shane Shannon Shaun Sheila Sonia Spencer Stacey Stanley Stella Steve "
    "Stewart Tanya Tara Ted Theresa Tina Toby Todd Tony Tracy Travis Troy Valerie Vanessa "
    "Vera Vernon Veronica Wesley Yasmin Zach Aoife Ciara Cian Conor Darragh Eoin Oisín "
    "Orla Padraig Saoirse Sinead Sinéad Niall Ronan Seán Aisling Caoimhe Niamh Dafydd "
    "Gethin Cerys Ffion Owain Sian Siân";

// Other European first names (German, Dutch and Flemish, Italian, Spanish, Portuguese,
// Polish, Czech, Romanian, Russian and Ukrainian, Greek, Scandinavian).
constexpr std::string_view kEuropean =
    "Andreas Anja Anke Bernd Birgit Christoph Claudia Dieter Elke Florian Franz Fritz "
    "Gerhard Gisela Günter Günther Hans Hannes Heike Heinz Helga Helmut Ingrid Jan Jana "
    "Jens Jörg Jürgen Karin Katrin Klaus Lars Lena Leonie Lukas Maik Manfred Markus "
    "Martina Matthias Maximilian Michaela Monika Niklas Nils Olaf Petra Rainer Ralf "
    "Renate Silke Stefan Stefanie Susanne Sven Thorsten Tobias Torsten Ulrich Ursula Uwe "
    "Volker Werner Wolfgang Jonas Finn Felix Moritz Emilia Annelies Bram Daan Els Femke "
    "Geert Hendrik Inge Jeroen Joost Koen Lieve Maarten Marloes Pieter Sander Sanne "
    "Stijn Wim Wouter Joris Hanne Griet Jef Kris Bart Sofie Lotte Jasper Thijs Niels "
    "Alessandro Alessandra Alessia Angelo Antonio Beatrice Carlo Chiara Claudio Cristina "
    "Daniele Davide Elena Emanuele Enrico Fabio Federica Federico Francesca Francesco "
    "Gabriele Giacomo Gianluca Giorgio Giovanni Giulia Giuseppe Luca Luigi Marco Mario "
    "Massimo Michele Paola Paolo Pietro Riccardo Roberto Roberta Salvatore Silvia "
    "Stefano Valentina Vincenzo Alberto Elisa Giada Gianni Franco Sergio Fabrizio Marta "
    "Ilaria Alejandro Alejandra Ana Andrés Beatriz Carlos Carmen Diego Eduardo Enrique "
    "Fernando Francisco Gabriela Guillermo Javier Jesús Jorge José Josefa Juan Juana "
    "Lucía Luis Manuel Marcos María Miguel Nuria Pablo Paula Pedro Pilar Rafael Ramón "
    "Raquel Ricardo Rocío Santiago Sofía Teresa Valeria Víctor Joana João Joao Tiago Rui "
    "Nuno Gonçalo Mariana Catarina Leonor Afonso Duarte Filipa Vasco Paulo Helena "
    "Fátima Adriana Camila Mateo Matías Daniela Agnieszka Aleksandra Andrzej Dorota Ewa "
    "Grzegorz Jacek Jakub Kamil Katarzyna Krzysztof Łukasz Lukasz Maciej Magdalena "
    "Małgorzata Marcin Mariusz Michał Pawel Paweł Piotr Tomasz Wojciech Zofia Zuzanna "
    "Bartosz Dariusz Jerzy Karolina Kasia Natalia Wiktoria Jiří Petr Lenka Tereza Andrei "
    "Alexandru Ioana Mihai Ionuț Cristian Florin Mihaela Adrian Bogdan Vlad Alexei "
    "Anastasia Dmitri Dmitry Ekaterina Irina Olga Sergei Svetlana Tatiana Vladimir Yulia "
    "Oksana Olena Taras Nikolai Igor Yuri Mikhail Andriy Georgios Dimitris Konstantinos "
    "Eleni Nikos Yannis Anders Erik Johan Magnus Sigrid Henrik Mette Kristian Kristina "
    "Annika Björn Freja Ingrid";

// South Asian, East Asian, West African and Middle Eastern first names.
constexpr std::string_view kWorld =
    "Aarav Aditi Aditya Amit Anil Anjali Arjun Deepak Divya Ganesh Gaurav Kavya Krishna "
    "Lakshmi Manish Meera Mohan Neha Nikhil Pooja Pradeep Priya Rahul Raj Rajesh Ramesh "
    "Ravi Rohan Sanjay Sanjeev Shreya Sunil Sunita Suresh Vijay Vikram Vivek Anand Arun "
    "Harpreet Gurpreet Jaspreet Simran Imran Ayesha Zainab Asif Tariq Usman Faisal Hina "
    "Wei Ming Jing Hui Xin Yan Lei Jun Hao Mei Ling Xiao Jian Feng Ying Yun Hiroshi "
    "Takashi Kenji Yuki Haruka Akira Yuto Sakura Yumi Keiko Naoko Takeshi Satoshi Kaito "
    "Riku Hana Aiko Ji-woo Min-jun Seo-yeon Ji-hoon Hye-jin Soo-jin Minh Anh Linh Huong "
    "Thao Trang Tuan Duc Hoa Phuong Quang Thanh Kwame Kofi Ama Akosua Chinedu Chiamaka "
    "Ngozi Emeka Oluwaseun Olumide Adebayo Babajide Tunde Folake Funmilayo Ifeoma Obinna "
    "Uchenna Yosef Moshe David Noa Tamar Avi Dalia Rami Karam Nabila Layla";

// Frequent surnames (France, UK and Ireland, US, elsewhere in Europe, the Maghreb,
// West Africa, South and East Asia), leaving out the ones that are ordinary words too.
constexpr std::string_view kSurnames =
    "Martin Bernard Thomas Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefebvre Leroy David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Müller Lefèvre Lefevre Faure André Mercier Guerin Guérin "
    "Boyer Garnier Chevalier François Legrand Gauthier Garcia Perrin Robin Clément "
    "Morin Nicolas Henry Roussel Mathieu Gautier Masson Duval Denis Dumont Lemaire "
    "Meyer Dufour Giraud Joly Lucas Brunet Gaillard Barbier Arnaud "
    "Martinez Gérard Schmitt Leroux Colin Vidal Caron Picard Roger Fabre Aubert "
    "Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Benoit Leclerc Payet "
    "Rolland Leclercq Guillaume Lecomte Lopez Dupuy Guillot Hubert Carpentier Sanchez "
    "Dupuis Deschamps Huet Vasseur Perez Fleury Royer Klein Jacquet Poirier Marty Aubry "
    "Guyot Ménard Maillard Bertin Bailly Hervé Schneider Fernandez Collet Léger "
    "Bouvier Julien Prévost Prevost Millet Perrot Daniel Germain Besson Langlois Rémy "
    "Pelletier Lévêque Leblanc Lebrun Marchal Weber Hamon Michaud Rodriguez "
    "Guichard Gillet Étienne Grondin Poulain Tessier Chevallier Collin Chauvin Bouchet "
    "Lemaître Bénard Maréchal Humbert Reynaud Hoarau Perret Barthélemy Cordier Pichon "
    "Lejeune Gilbert Delaunay Pasquier Carlier Laporte Lefort Dubreuil Texier "
    "Charrier Marchetti Santini Orsini Rossi Russo Ferrari Esposito Bianchi Romano "
    "Colombo Ricci Marino Greco Bruno Gallo Conti Costa Giordano Mancini Rizzo Lombardi "
    "Moretti Fischer Wagner Becker Hoffmann Schulz Koch Richter Schröder Neumann "
    "Schwarz Zimmermann Braun Krüger Hartmann Lange Werner Krause Lehmann Kessler Peeters "
    "Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters Dubois Jansen "
    "Bakker Visser Smit Mulder Bos Vos Meijer Hernandez Gonzalez Rodrigues "
    "Gonzales Diaz Ramirez Torres Flores Rivera Gomez Morales Ortiz Gutierrez Mendoza "
    "Castillo Jimenez Ruiz Alvarez Álvarez Romero Navarro Moreno Muñoz Silva Santos "
    "Oliveira Pereira Ferreira Carvalho Almeida Sousa Ribeiro Fernandes Gonçalves "
    "Monteiro Nowak Kowalski Kowalczyk Wiśniewski Wisniewski Wójcik Lewandowski "
    "Kamiński Zieliński Szymański Woźniak Dąbrowski Kozłowski Mazur Krawczyk Popescu "
    "Ionescu Popa Ivanov Petrov Smirnov Kuznetsov Papadopoulos Johansson Andersson "
    "Nilsson Hansen Jensen Nielsen Larsen Smith Johnson Williams Jones Miller Davis "
    "Wilson Anderson Taylor Moore Jackson Harris Thompson Clark Clarke Lewis Robinson "
    "Allen Wright Scott Adams Nelson Carter Mitchell Roberts Phillips Campbell Evans "
    "Edwards Collins Stewart Morris Murphy Richardson Howard Peterson Watson Kelly "
    "Sanders Bennett Barnes Henderson Coleman Jenkins Perry Powell Patterson Hughes "
    "Butler Simmons Foster Bryant Russell Griffin Hayes Myers Hamilton Graham Sullivan "
    "Wallace Reynolds Fisher Ellis Harrison Gibson McDonald MacDonald Murray Simpson "
    "Stevens Tucker Crawford Boyd Kennedy Warren Robertson Daniels Ferguson Hawkins "
    "Dunn Perkins Hudson Gardner Stephens Matthews Arnold Willis Watkins Olson Carroll "
    "Duncan Snyder Cunningham Bradley Andrews Riley Armstrong Elliott Chavez Lawson "
    "Davies Walsh O'Brien O'Connor O'Neill O'Sullivan Byrne Doyle McCarthy Lynch "
    "Quinn Brennan Fitzgerald Gallagher Reilly Kavanagh Murray MacLeod Fraser Morrison "
    "Patel Shah Khan Hussain Ahmed Begum Singh Kaur Sharma Kumar Gupta Mehta Desai Iyer "
    "Reddy Rao Chowdhury Bose Nair Menon Joshi Kapoor Malhotra Chopra Agarwal Verma "
    "Nguyen Tran Pham Hoang Phan Huynh Dang Bui Ngo Duong Wang Zhang Liu Chen Yang Zhao "
    "Huang Zhou Xu Zhu Kim Choi Jung Kang Cho Yoon Tanaka Suzuki Takahashi "
    "Watanabe Yamamoto Nakamura Kobayashi Sato Benali Haddad Belkacem Bouzid Messaoudi "
    "Saidi Saïdi Hamidi Mansouri Brahimi Cherif Chérif Amrani Bensaid Khelifi Meziane "
    "Touati Benchikh Alaoui Idrissi Bennani Tazi Berrada Diallo Diop Ndiaye Sow Traoré "
    "Traore Koné Kone Coulibaly Keita Camara Touré Cissé Sylla Konaté Sissoko Diarra "
    "Dembélé Bamba Kouassi Kouadio Mensah Okafor Okonkwo Adeyemi Okoro Nwosu Osei "
    "Boateng Asante Owusu Cohen Levy Lévy Mizrahi Yilmaz Yılmaz Kaya Demir Şahin Çelik "
    "Öztürk Aydın Arslan";

constexpr std::string_view kAmbiguous =
    "Will May June April Mark Bill Rose Grace Hope Faith Joy Summer Dawn Olive Pat Sue "
    "Ray Rob Art Jack Frank Guy Lou Martin Paul Louis Jean Claude France Florence "
    "Lorraine Nancy Valence Avril Constance Prudence Aimé Claire Victoire Patience "
    "Charity Amber Ruby Poppy Lily Sandy Chris Morgan Lewis Owen Ross Scott Dean Rhys "
    "Don Jan Jun Duc Said Ange Marin Teddy Octave Fleur Iris Lance Chad Jordan Austin "
    "Stella Julian Pascal Travis";

// Lower-case words of French or English that are also first names.
constexpr std::string_view kCommonWordNames =
    "rose jade olive iris violette marine claire blanche prudence constance france "
    "victoire patience ambre capucine marguerite jean guy will mark bill frank jack sue "
    "pat ray rob art dawn grace hope faith joy summer june may april amber ruby lily "
    "sandy dean hunter chase miles max holly ivy daisy crystal destiny penny robin sage "
    "paris florence victoria madison jordan georgia virginia pierre pascal basile marin "
    "clément aimé désiré maxime fleur ange said amine jan jun don drew grant wade chuck "
    "nick jay eve gene carol harry sally heather dale glen rod reed rich lance chad "
    "austin teddy octave stella long duc colin noël lou ole ola dirk";

// Catalogue nouns, lower case (French and English).
constexpr std::string_view kProductNouns =
    "lampe lampadaire applique suspension luminaire fauteuil chaise tabouret banc canapé "
    "table commode buffet lit matelas armoire étagère miroir coussin plaid tapis rideau "
    "vase bougie parfum robe jupe chemise pull veste manteau sac pochette chaussures "
    "montre bague collier modèle collection gamme série édition coloris cuisine vélo "
    "poussette lamp light chair armchair stool bench sofa couch desk bed mattress "
    "wardrobe shelf mirror cushion pillow pillows throw rug curtain candle perfume dress "
    "skirt shirt sweater jacket coat bag shoes watch ring necklace model collection range "
    "series edition colour color kitchen bike stroller dining réf ref sku";

// Salutations, headings and common capitalised words of tickets, mails and invoices.
constexpr std::string_view kStopwords =
    "Le La Les Un Une Des De Du Au Aux Et Ou Mais Donc Car Ni Ce Cette Ces Mon Ma Mes "
    "Votre Vos Notre Nos Son Sa Ses Il Elle Ils Elles Nous Vous Je Tu On Merci "
    "Cordialement Bonjour Bonsoir Salut Madame Monsieur Mademoiselle Mesdames Messieurs "
    "Client Cliente Clients Service Support Équipe Equipe Team Customer Customers Sir "
    "Madam All Tous Toutes Commande Facture Order Invoice Objet Subject Re Fwd TR Date "
    "Ticket Réf Ref Référence Reference Numéro Number Total TVA VAT IBAN BIC SIRET SIREN "
    "Paris Lyon Marseille Toulouse Bordeaux Lille Nantes Nice Strasbourg Rennes London "
    "France Rue Avenue Boulevard Place Lundi Mardi Mercredi Jeudi Vendredi Samedi "
    "Dimanche Monday Tuesday Wednesday Thursday Friday Saturday Sunday Janvier Février "
    "Mars Avril Mai Juin Juillet Août Septembre Octobre Novembre Décembre January "
    "February March April May June July August September October November December "
    "The A An And Or But If In On At To For Of By With From Hello Hi Dear Thanks Thank "
    "Regards Best Kind Sincerely Please Veuillez Pouvez Pourriez Est Sont Avec Pour Par "
    "Sur Dans En Chez Bien Très Tres SAS SARL SA EURL Inc Ltd LLC Mme Mlle Mr Mrs Ms Dr "
    "Directeur Directrice Responsable Manager Gérant Gérante Comptabilité Accounting "
    "Bonne Journée Urgent Important Note Merci Livraison Delivery Colis Paiement Payment "
    "Carte Card Compte Account Banque Bank Adresse Address Téléphone Phone Email Mail "
    "Tél Tel Fax Mobile Portable Contact Société Company Produit Product Prix "
    // Organisations, departments, roles and headings (signatures, greetings, forms).
    "Mutuelle Assurance Assurances Maladie Accounts Receivable Payable Department Dept "
    "Services Billing Agence Cabinet Étude Etude Groupe Group Office Bureau Secrétariat "
    "Secretariat Associés Associates Partners Holding Consulting Conseil Solutions "
    "Logistics Transports Transport Garage Clinique Clinic Hôpital Hospital Pharmacie "
    "Pharmacy Boulangerie Restaurant Hôtel Hotel Université University École School "
    "Lycée Collège College Mairie Préfecture Crédit Caisse Entreprise Corporation Corp "
    "GmbH AG SpA Srl BV NV Limited PLC Foundation Fondation Association Institute "
    "Institut Centre Center Store Shop Boutique Magasin Atelier Studio Laboratoire "
    "Laboratory Events Coordinator Sales Marketing Finance Legal Juridique RH HR IT "
    "Helpdesk Hotline Admin Administration Management Operations Logistique Achats "
    "Purchasing Procurement Recrutement Recruitment People Talent Hiring Valued "
    "Colleagues Collègues Everyone Friends Members Member Partner Partenaire Director "
    "Officer Agent Advisor Conseiller Conseillère Technicien Technician Expert Candidate "
    "Candidat Applicant Patient Patients User Utilisateur Utilisatrice Locataire Tenant "
    "Owner Propriétaire Landlord Cardholder Beneficiary Bénéficiaire Titulaire "
    "Destinataire Expéditeur Sender Recipient Name Nom Prénom Surname Signature Objet "
    "Summary Details Détails Description Quantity Quantité Qty Qté Item Article "
    "Subtotal Tax Shipping Expédition Returns Retour Refund Remboursement Discount "
    "Remise Promo Offer Offre Sale Soldes Free Gratuit New Nouveau Nouvelle Welcome "
    "Bienvenue Reminder Rappel Update Status Statut Error Erreur Warning Attention Alert "
    "Alerte Info Information Informations Question Questions Request Demande Issue "
    "Problème Problem Bug Incident Case Dossier Project Projet Meeting Réunion Call "
    "Appel Agenda Planning Schedule Report Rapport Budget Quote Devis Contract Contrat "
    "Agreement Terms Conditions Policy Privacy Confidential Confidentiel Draft Final "
    "Version Release Tracking Suivi Package Parcel Shipment Warehouse Entrepôt Stock "
    "North South East West Nord Sud Est Ouest Street Road Lane Drive Avenue Square "
    "Professor Nurse Docteur Doctor Maître Père Father Saint Sainte St Ste Your Yours "
    "Our My His Her Their This That These Those There Here Who What When Where Why How "
    "Yes No Non Oui OK Ok Voici Voilà Ci-joint Ci-dessous Suite Concernant Regarding "
    "Subject Attn Tél. Email E-mail Courriel Portable Adresse I I'm Im It's It We You "
    "They He She Is Are Was Were Be Do Does Did Can Could Would Should Let Just Also "
    "Sorry Good Morning Afternoon Evening Night Happy Station Airport Aéroport Gare Terminal "
    "Bridge Tower Cathedral Cathédrale Church Église Stadium Stade Boulevard";

std::string fold(std::string_view w) {
  std::string out(w.size(), '\0');
  fold_case(w, out.data(), out.size());
  return out;
}

std::unordered_set<std::string_view> split(std::string_view s) {
  std::unordered_set<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t j = s.find(' ', i);
    const size_t e = j == std::string_view::npos ? s.size() : j;
    if (e > i) out.insert(s.substr(i, e - i));
    i = e + 1;
  }
  return out;
}

// Folded copies of a list, owned by the set (their views point into `storage`).
struct FoldedSet {
  std::vector<std::string> storage;
  std::unordered_set<std::string_view> set;
  explicit FoldedSet(std::initializer_list<std::string_view> lists) {
    for (std::string_view list : lists)
      for (std::string_view w : split(list)) storage.push_back(fold(w));
    set.reserve(storage.size());
    for (const auto& w : storage) set.insert(w);
  }
  bool contains(std::string_view word) const {
    char buf[64];
    const std::string_view folded = fold_case(word, buf, sizeof buf);
    return !folded.empty() && set.count(folded) != 0;
  }
};

const std::unordered_set<std::string_view>& first_names() {
  static const auto names = [] {
    std::unordered_set<std::string_view> set;
    for (std::string_view list : {kFrench, kEnglish, kEuropean, kWorld})
      for (auto n : split(list)) set.insert(n);
    return set;
  }();
  return names;
}

}  // namespace

// Lower-case ASCII and Latin-1 capitals (UTF-8 C3 80..9E, except × at C3 97).
std::string_view fold_case(std::string_view word, char* buf, size_t size) {
  if (word.size() > size) return {};
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (i > 0 && word[i - 1] == '\xC3') {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x80 && u <= 0x9E && u != 0x97) c = static_cast<char>(u + 0x20);
    }
    buf[i] = c;
  }
  return {buf, word.size()};
}

bool is_first_name(std::string_view word) {
  return first_names().count(word) != 0;
}

bool is_first_name_ci(std::string_view word) {
  static const FoldedSet set({kFrench, kEnglish, kEuropean, kWorld});
  return set.contains(word);
}

bool is_ambiguous_first_name(std::string_view word) {
  static const auto set = split(kAmbiguous);
  return set.count(word) != 0;
}

bool is_common_word_name(std::string_view lower_word) {
  static const FoldedSet set({kCommonWordNames});
  return set.contains(lower_word);
}

bool is_surname_ci(std::string_view word) {
  static const FoldedSet set({kSurnames});
  return set.contains(word);
}

bool is_name_stopword(std::string_view word) {
  static const auto set = split(kStopwords);
  return set.count(word) != 0;
}

bool is_product_noun_ci(std::string_view word) {
  static const FoldedSet set({kProductNouns});
  return set.contains(word);
}

}  // namespace tq::guard
