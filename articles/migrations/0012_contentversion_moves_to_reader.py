# ContentVersion now belongs to the reader app (reader/migrations/0001_initial.py):
# forgotten here in Django's state only, its table stays. The search index is
# now kept by the search app (help text only).

import django.contrib.postgres.search
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_partial_indexes_end_in_id"),
        ("reader", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ContentVersion")],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="Title, dek, body and author names, weighted for full-text search on "
                "PostgreSQL; kept up to date by search.engine.refresh_search_vectors().",
                null=True,
            ),
        ),
    ]
