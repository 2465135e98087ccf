"""Thin views: the print chooser (a client's final, or a catalogue photo), the extras' way
into the basket, and the signed thumbnails shown beside basket and order lines."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booker import selectors as booker_selectors
from booker import services as booker_services
from booker.delivery.files import storage_url
from booker.models import Rush

from . import pictures, selectors, services
from .selectors import MIN_DPI, Crop

# A thumbnail link given to a page that checked who asks lives this long (seconds).
THUMB_LINK_MAX_AGE = 15 * 60
_THUMB_SALT = "shop.personal.thumb"


class PrintForm(forms.Form):
    product = forms.TypedChoiceField(label=gettext_lazy("Format"), coerce=int)
    crop = forms.CharField(label=gettext_lazy("Recadrage"), required=False)
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantité"), min_value=1, max_value=20, initial=1
    )

    def __init__(self, variants, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [(v.product_id, v.label) for v in variants]

    def clean_crop(self) -> Crop:
        text = self.cleaned_data["crop"]
        if not text:
            return selectors.FULL_FRAME
        crop = Crop.parse(text)
        if crop is None:
            raise forms.ValidationError(_("Ce recadrage sort de la photo."))
        return crop


def _chooser(request: HttpRequest, *, variants, pixels, preview_url: str, title: str, add,
             back_url: str | None) -> HttpResponse:
    form = PrintForm(variants, request.POST or None)
    if request.method == "POST" and form.is_valid():
        variant = next(v for v in variants if v.product_id == form.cleaned_data["product"])
        try:
            add(form.cleaned_data["product"], form.cleaned_data["crop"],
                form.cleaned_data["quantity"])
        except services.PrintError as exc:
            messages.error(request, str(exc))
        else:
            dpi = selectors.low_dpi(pixels, form.cleaned_data["crop"], variant)
            if dpi is not None:
                messages.warning(request, _(
                    "Attention : à ce format la photo n'aura que %(dpi)d points par pouce ; "
                    "le tirage pourra paraître flou."
                ) % {"dpi": dpi})
            messages.success(request, _("Le tirage est dans votre panier."))
            return redirect("basket:summary")
    chosen = str(form["product"].value() or (variants[0].product_id if variants else ""))
    rows = [
        {
            "variant": v,
            "selected": str(v.product_id) == chosen,
            "low_res": selectors.low_dpi(pixels, selectors.FULL_FRAME, v) is not None,
        }
        for v in variants
    ]
    width, height = pixels
    return render(request, "personal/chooser.html", {
        "form": form,
        # The print is turned like the photo: a portrait photo starts on a portrait print.
        "orientation": ("portrait" if height > width else "landscape") if width and height else "",
        "variant_rows": rows,
        "pixels": pixels,
        "preview_url": preview_url,
        "title": title,
        "min_dpi": MIN_DPI,
        "back_url": back_url,
    })


@login_required
@require_http_methods(["GET", "POST"])
def final_print(request: HttpRequest, final_id: int) -> HttpResponse:
    """Order a print of one of the client's delivered photos."""
    final = selectors.final_for(request.user, final_id)
    variants = selectors.print_variants(selectors.print_parent(), request.basket.strategy)
    return _chooser(
        request,
        variants=variants,
        # The final's own pixels: a recropped final, or one smaller than its rush, prints at
        # the resolution it has, not the rush's.
        pixels=booker_services.final_pixel_size(final),
        # Framed on the final itself (its screen copy, unwatermarked, for whoever may download
        # it), not on the rush's proof: a black and white or recropped final is what is
        # printed, and a client who paid sees no watermark. The crop is kept in fractions, so
        # it applies to the HD final the lab gets.
        preview_url=reverse("portal:final-screen", args=[final.pk]),
        title=final.job.rush.stem,
        add=lambda pid, crop, qty: services.add_print_of_final(
            request.basket, final, pid, crop, qty
        ),
        back_url=reverse("portal:session", args=[final.job.session_id]),
    )


@require_http_methods(["GET", "POST"])
def product_print(request: HttpRequest, product_id: int) -> HttpResponse:
    """Order a print of a catalogue photo (a print parent), or of a public picture sold as
    that print (`?photo=galerie-12`, from a gallery page: see pictures.py)."""
    parent = selectors.print_parent_for(product_id)
    if parent is None:
        raise Http404("No such print.")
    ref = request.GET.get("photo")
    if ref:
        picture = pictures.picture(ref)
        # A picture is printed only as the product its page sells it as.
        if picture is None or picture.product_id != parent.pk:
            raise Http404("No such picture.")
        return _chooser(
            request,
            variants=selectors.print_variants(parent, request.basket.strategy),
            pixels=picture.pixels,
            preview_url=picture.preview_url,
            title=picture.title or parent.get_title(),
            add=lambda pid, crop, qty: services.add_print_of_product(
                request.basket, parent, pid, crop, qty, picture=picture
            ),
            back_url=picture.page_url or parent.get_absolute_url(),
        )
    image = parent.primary_image()
    original = getattr(image, "original", None)
    if not original:
        raise Http404("This print has no picture to frame.")
    return _chooser(
        request,
        variants=selectors.print_variants(parent, request.basket.strategy),
        pixels=(original.width, original.height),
        preview_url=original.url,
        title=parent.get_title(),
        add=lambda pid, crop, qty: services.add_print_of_product(
            request.basket, parent, pid, crop, qty
        ),
        back_url=parent.get_absolute_url(),
    )


@login_required
@require_POST
def extras(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Submit a selection with extras (from the portal's submit page), or come back to pay
    them: either way the extras land in the basket and the client is sent there."""
    session = booker_selectors.session_for(request.user, session_pk)
    try:
        if session.status == session.Status.PROOFING:
            count = services.submit_with_extras(request.basket, session, user=request.user)
        else:
            count = services.put_extras_in_basket(request.basket, session)
    except (booker_services.StudioError, services.PrintError) as exc:
        messages.error(request, str(exc))
        return redirect("portal:session", pk=session.pk)
    if not count:
        messages.success(request, _("Votre sélection est envoyée au studio. Merci !"))
        return redirect("portal:session", pk=session.pk)
    messages.info(request, _(
        "Votre sélection est enregistrée. Le studio commence les retouches dès que vos "
        "photos supplémentaires sont payées."
    ))
    return redirect("basket:summary")


def thumb_url(rush_id: int) -> str:
    """A link to a rush's thumbnail, signed for THUMB_LINK_MAX_AGE. Make it only for someone
    the page has checked (see templatetags.personal)."""
    token = signing.dumps(rush_id, salt=_THUMB_SALT)
    return reverse("personal:thumb", args=[token])


@require_GET
def thumb(request: HttpRequest, token: str) -> HttpResponse:
    try:
        rush_id = signing.loads(token, salt=_THUMB_SALT, max_age=THUMB_LINK_MAX_AGE)
    except signing.BadSignature as exc:  # expired links too
        raise Http404("No such picture.") from exc
    rush = Rush.objects.filter(pk=rush_id).first()
    if rush is None or not rush.thumbnail:
        raise Http404("No such picture.")
    response = serve(rush.thumbnail)
    patch_cache_control(response, private=True, max_age=THUMB_LINK_MAX_AGE)
    return response


def serve(fieldfile, *, download_name: str | None = None, inline: bool = True) -> HttpResponse:
    """Stream a private file (local storage) or redirect to its short-lived signed link (S3)."""
    if not isinstance(fieldfile.storage, FileSystemStorage):
        return HttpResponseRedirect(storage_url(fieldfile, download_name, inline))
    try:
        handle = fieldfile.storage.open(fieldfile.name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    return FileResponse(handle, as_attachment=not inline, filename=download_name)
