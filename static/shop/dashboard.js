// Oscar's dashboard, without inline handlers (the Content-Security-Policy blocks them):
// the image widget's preview hides its upload button once the chosen file shows, and says so
// when it is not an image (booke/templates/oscar/forms/widgets/image_input_widget.html).
// The menu buttons' label, in French from the template (Oscar writes "Toggle navigation").
var menuLabel = document.currentScript && document.currentScript.dataset.menuLabel;
$(function () {
  if (menuLabel) {
    $(".navbar-toggler").attr("aria-label", menuLabel);
  }
  $("img[data-upload-button]").each(function () {
    var img = this;
    var button = document.getElementById(img.dataset.uploadButton);
    img.addEventListener("load", function () {
      $(button).hide();
    });
    img.addEventListener("error", function () {
      // An <img> without src fires no error; only a chosen file that is not an image does.
      if (!img.getAttribute("src")) return;
      $(button).show();
      window.alert(img.dataset.invalidMessage);
    });
  });
});
