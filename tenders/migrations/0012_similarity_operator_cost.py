from django.db import migrations

# `heading %> query` computes a word similarity on every row a sequential scan reads; priced at one
# operator (pg_trgm's default), PostgreSQL bets on a sequential scan under a LIMIT (the search's
# window, a count's cap) and evaluates the whole search on most of the table. Priced as what it
# costs, it takes the indexes' bitmap (docs/architecture.md §12).
SIMILARITY_COST = "ALTER FUNCTION word_similarity_commutator_op(text, text) COST {}"


class Migration(migrations.Migration):
    dependencies = [("tenders", "0011_search_description_trigrams")]

    operations = [migrations.RunSQL(SIMILARITY_COST.format(100), SIMILARITY_COST.format(1))]
