from django.db import migrations

# `heading %> query` computes a word similarity on every row a sequential scan reads; priced at one
# operator (pg_trgm's default), PostgreSQL bets on a sequential scan under a LIMIT (the search's
# window, a count's cap) and evaluates the whole search on most of the table. Priced as what it
# costs, it takes the indexes' bitmap (docs/architecture.md §12).
#
# Only the function's owner (or a superuser) may change its cost. `manage.py database_roles create`
# makes the extension as the superuser and hands its functions to the owner role that migrates; a
# database prepared otherwise gets a warning naming the statement for its administrator to run, and
# the search stays correct, only slower.
SIMILARITY_COST = """
DO $$
DECLARE
    fn regprocedure := 'word_similarity_commutator_op(text, text)'::regprocedure;
BEGIN
    IF pg_has_role(current_user, (SELECT proowner FROM pg_proc WHERE oid = fn), 'USAGE')
       OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('ALTER FUNCTION %s COST {cost}', fn);
    ELSE
        RAISE WARNING 'as a superuser, run: ALTER FUNCTION % COST {cost}', fn;
    END IF;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("tenders", "0011_search_description_trigrams")]

    operations = [migrations.RunSQL(SIMILARITY_COST.format(cost=100), SIMILARITY_COST.format(cost=1))]
