"""The StreamField blocks that posts, positions, events and standard pages share.

One ``BaseStreamBlock`` keeps the editing experience the same across page types. Each
block renders with its own template under ``templates/blocks/``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    """A subheading; level 2 or 3 so that headings stay in order under the page title."""

    text = blocks.CharBlock(label=_("Rubrik"), max_length=255)
    level = blocks.ChoiceBlock(
        label=_("Nivå"),
        choices=[("h2", _("Rubrik 2")), ("h3", _("Rubrik 3"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Mellanrubrik")
        template = "blocks/heading_block.html"
        preview_value = {"text": "Tillit till professionen", "level": "h2"}


class QuoteBlock(blocks.StructBlock):
    """A quotation with the person or source it comes from."""

    text = blocks.TextBlock(label=_("Citat"))
    attribution = blocks.CharBlock(label=_("Källa eller person"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Citat")
        template = "blocks/quote_block.html"
        preview_value = {"text": "Vi kan inte informera bort tillitsbristen.", "attribution": ""}


class ImageBlock(blocks.StructBlock):
    """An image with caption, photographer credit and alt text.

    Alt text is required unless the editor marks the image as decorative.
    """

    image = ImageChooserBlock(label=_("Bild"))
    alt_text = blocks.CharBlock(
        label=_("Alternativtext"),
        required=False,
        max_length=255,
        help_text=_("Beskriv vad bilden visar för den som inte ser den."),
    )
    decorative = blocks.BooleanBlock(
        label=_("Dekorativ bild"),
        required=False,
        help_text=_("Kryssa i om bilden inte tillför något innehåll; då behövs ingen alt-text."),
    )
    caption = blocks.CharBlock(label=_("Bildtext"), required=False)
    credit = blocks.CharBlock(label=_("Fotograf"), required=False)

    class Meta:
        icon = "image"
        label = _("Bild")
        template = "blocks/image_block.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("decorative") and not (value.get("alt_text") or "").strip():
            raise StructBlockValidationError(
                block_errors={
                    "alt_text": ValidationError(
                        _("Skriv en alternativtext eller markera bilden som dekorativ.")
                    )
                }
            )
        return value


class CaptionBlock(blocks.StructBlock):
    """A photo caption whose photo is missing (imported captions keep their text and credit)."""

    text = blocks.TextBlock(label=_("Bildtext"))
    credit = blocks.CharBlock(label=_("Fotograf"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Bildtext utan bild")
        template = "blocks/caption_block.html"


class AttachmentBlock(blocks.StructBlock):
    """A link or an attached document. Imported ones may lack their address.

    An attachment with neither a document nor a URL is shown as plain text to visitors
    and flagged for editors (``needs_editor``).
    """

    title = blocks.CharBlock(label=_("Titel"), max_length=255)
    document = DocumentChooserBlock(label=_("Dokument"), required=False)
    url = blocks.URLBlock(label=_("Länkadress"), required=False)

    class Meta:
        icon = "link"
        label = _("Bilaga eller länk")
        template = "blocks/attachment_block.html"

    @staticmethod
    def needs_editor(value) -> bool:
        return not value.get("document") and not value.get("url")


class BulletListBlock(blocks.StructBlock):
    """A bullet list of short items."""

    items = blocks.ListBlock(blocks.CharBlock(label=_("Punkt")), label=_("Punkter"))

    class Meta:
        icon = "list-ul"
        label = _("Punktlista")
        template = "blocks/bullet_list_block.html"


class VideoBlock(blocks.StructBlock):
    """An embedded video (YouTube, Vimeo ...) with a title for screen readers."""

    title = blocks.CharBlock(label=_("Titel"), required=False)
    video = EmbedBlock(label=_("Videoadress"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    """The body of every content page.

    Its headings come under the page's own title (h1) and stay in order: a level-3
    heading only after a level-2 one, so that no level is skipped. A draft may be saved
    with them out of order; it cannot be published or sent for review so.
    """

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Stycke"),
        icon="pilcrow",
        features=["bold", "italic", "link", "document-link", "ol", "ul"],
        template="blocks/paragraph_block.html",
    )
    quote = QuoteBlock()
    image = ImageBlock()
    caption = CaptionBlock()
    attachment = AttachmentBlock()
    video = VideoBlock()
    bullet_list = BulletListBlock()

    def clean(self, value):
        cleaned = super().clean(value)
        if self.is_deferred_validation:
            # Saving a draft (Wagtail defers validation then): the editor's work is kept
            # as it is, and the order is checked when the page is published or sent for
            # review.
            return cleaned
        errors = {}
        under_level_2 = False
        for index, child in enumerate(cleaned):
            if child.block_type != "heading":
                continue
            if child.value["level"] == "h2":
                under_level_2 = True
            elif not under_level_2:
                message = _(
                    "En rubrik 3 kan inte komma före den första rubriken 2. "
                    "Välj Rubrik 2 här, eller lägg en rubrik 2 före den."
                )
                errors[index] = StructBlockValidationError(
                    block_errors={"level": ValidationError(message)}
                )
        if errors:
            raise blocks.StreamBlockValidationError(block_errors=errors)
        return cleaned
