"""Who may do what: the one place the newsroom's rules are written.

- Writers (the Writer group) write: they create articles, edit their own
  drafts (created by them or carrying their byline), submit them for review,
  preview them and delete drafts readers never saw.
- Editors (anyone with `articles.publish_article`: the Editor group and
  superusers) edit any article at any stage, publish, schedule, unpublish and
  send back, and manage sections, authors, credits and redirects.
- Readers see only what `Article.objects.published()` gives.

The admin, the workflow transitions and the preview views all ask here, so a
rule is enforced on the server the same way wherever it is reached.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

WRITER_GROUP = "Writer"
EDITOR_GROUP = "Editor"

# Model permissions of each group: {app_label: {model: [actions]}}.
GROUP_PERMISSIONS = {
    EDITOR_GROUP: {
        "articles": {
            "article": ["add", "change", "delete", "view", "publish"],
            "byline": ["add", "change", "delete", "view"],
            "author": ["add", "change", "delete", "view"],
            "imagecredit": ["add", "change", "delete", "view"],
            "redirect": ["add", "change", "delete", "view"],
            "articleevent": ["view"],
        },
        "sections": {"section": ["add", "change", "delete", "view"]},
    },
    WRITER_GROUP: {
        "articles": {
            "article": ["add", "change", "delete", "view"],
            "byline": ["add", "change", "delete", "view"],
            "author": ["view"],
            "imagecredit": ["add", "view"],
        },
        "sections": {"section": ["view"]},
    },
}


def ensure_groups(**kwargs):
    """Create the Writer and Editor groups with their permissions; safe to run again.

    Connected to post_migrate, so every `migrate` (and every test database
    flush) leaves the groups in place.
    """
    for label in ("sections", "articles"):
        create_permissions(apps.get_app_config(label), verbosity=0)
    for name, grants in GROUP_PERMISSIONS.items():
        codenames = {
            (app, f"{action}_{model}")
            for app, models_ in grants.items()
            for model, actions in models_.items()
            for action in actions
        }
        perms = [
            p
            for p in Permission.objects.filter(
                content_type__app_label__in=grants, codename__in={c for _, c in codenames}
            ).select_related("content_type")
            if (p.content_type.app_label, p.codename) in codenames
        ]
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)


def is_editor(user) -> bool:
    return bool(user and user.is_active and user.has_perm("articles.publish_article"))


def is_owner(user, article) -> bool:
    """A writer's own article: they created it or have a byline on it."""
    if article.created_by_id and article.created_by_id == user.pk:
        return True
    return bool(article.pk) and article.bylines.filter(author__user_id=user.pk).exists()


def can_edit(user, article) -> bool:
    if not user.has_perm("articles.change_article"):
        return False
    if is_editor(user):
        return True
    return article.status == article.Status.DRAFT and is_owner(user, article)


def can_delete(user, article) -> bool:
    if not user.has_perm("articles.delete_article"):
        return False
    if is_editor(user):
        return True
    # Writers may throw away their own drafts, never anything readers have seen.
    return (
        article.status == article.Status.DRAFT
        and article.published_at is None
        and is_owner(user, article)
    )


def transitions(user, article) -> list[str]:
    """Names of the workflow steps `user` may try on `article` now (whether the
    article meets a step's requirements is checked when it is tried)."""
    S = article.Status
    if is_editor(user):
        allowed = {
            S.DRAFT: ["submit", "publish", "schedule"],
            S.IN_REVIEW: ["publish", "schedule", "return"],
            S.PUBLISHED: ["publish", "unpublish"] if article.is_scheduled() else ["unpublish"],
            S.UNPUBLISHED: ["publish", "schedule", "return"],
        }
        return allowed[article.status]
    if article.status == S.DRAFT and can_edit(user, article):
        return ["submit"]
    return []


def editable_by(user, articles):
    """The articles of the queryset `articles` that `user` works on in the admin
    (and may preview): every one for editors, their own for writers."""
    if is_editor(user):
        return articles
    if user.has_perm("articles.view_article") or user.has_perm("articles.change_article"):
        return articles.owned_by(user)
    return articles.none()
