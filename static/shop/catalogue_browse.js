// The catalogue's sort and facet widgets: Oscar's browse.html runs this from its inline
// onbodyload block; a static file here, since catalogue pages are cached (see oscar_init.js).
$(function () {
  oscar.search.init();
});
