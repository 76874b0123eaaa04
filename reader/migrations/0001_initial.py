# ContentVersion moves from the articles app to the reader app, whose caches
# it serves: the table (articles_contentversion) and its row stay as they are,
# only Django's record of which app owns the model changes.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0011_partial_indexes_end_in_id"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("version", models.PositiveBigIntegerField(default=1)),
                        ("next_publish_at", models.DateTimeField(blank=True, null=True)),
                        ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={"db_table": "articles_contentversion"},
                ),
            ],
            database_operations=[],
        ),
    ]
