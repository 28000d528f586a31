// live.js keeps the parts of a page marked data-live="<topic>" current
// through the server-sent event stream /events?topic=<topic>. Each "update"
// event carries the part's new HTML, rendered and escaped by the server with
// the same component as the page itself. Without this script the page is
// complete; it is just not refreshed.
(function () {
	"use strict";
	if (!("EventSource" in window)) return;
	var parts = document.querySelectorAll("[data-live]");
	Array.prototype.forEach.call(parts, function (el) {
		var topic = el.getAttribute("data-live");
		var version = el.getAttribute("data-version") || "";
		var url = "/events?topic=" + encodeURIComponent(topic) + "&v=" + encodeURIComponent(version);
		var stream = new EventSource(url);
		stream.addEventListener("update", function (ev) {
			// Keep keyboard focus where it was when the link still exists.
			var focused = document.activeElement;
			var href = focused && el.contains(focused) ? focused.getAttribute("href") : null;
			el.innerHTML = ev.data;
			el.setAttribute("data-version", ev.lastEventId);
			if (href) {
				var again = el.querySelector('a[href="' + CSS.escape(href) + '"]');
				if (again) again.focus();
			}
		});
		stream.addEventListener("open", function () { el.setAttribute("data-state", "live"); });
		stream.addEventListener("error", function () { el.setAttribute("data-state", "reconnecting"); });
		window.addEventListener("pagehide", function () { stream.close(); });
	});
})();
