/* The curator workspace's script (a file: the CSP allows no inline script).

   The admin's theme (django-unfold) drives its menus, filters and tabs with Alpine.js. The
   standard Alpine build compiles each expression with Function(), which a CSP without
   'unsafe-eval' refuses; tracker/static/unfold/js/alpine/alpine.js is Alpine's CSP build instead
   (tracker/static/VENDORED.md). That build parses expressions itself and sees only component
   data, so the few of unfold's expressions that call page-level functions or use arrow functions
   get a registered component here, before Alpine starts. */
"use strict";

// htmx would add its indicator styles as an inline <style> element, which the CSP refuses;
// admin.css carries them instead.
if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
}

document.addEventListener("alpine:init", () => {
    const Alpine = window.Alpine;
    // unfold's page-level component factories (unfold/js/app.js), named in x-data="theme()" etc.
    for (const name of ["theme", "searchForm", "searchDropdown", "searchCommand"]) {
        if (typeof window[name] === "function") {
            Alpine.data(name, window[name]);
        }
    }

    // The page layout (unfold's <body x-data x-init>): the active tab and the sidebar, whose
    // open/closed state is remembered in localStorage.
    const body = document.body;
    const original = body.getAttribute("x-data") || "";
    const initialTab = (original.match(/activeTab:\s*'([^']*)'/) || [null, ""])[1];
    Alpine.data("trackerLayout", () => ({
        activeTab: initialTab,
        sidebarMobileOpen: false,
        sidebarDesktopOpen: localStorage.getItem("sidebarDesktopOpen") !== "0",
        init() {
            if (typeof window.getCurrentTab === "function") {
                this.activeTab = window.getCurrentTab() || initialTab;
            }
            this.$watch("sidebarDesktopOpen", (open) => localStorage.setItem("sidebarDesktopOpen", open ? "1" : "0"));
        },
        toggleSidebarDesktop() {
            this.sidebarDesktopOpen = !this.sidebarDesktopOpen;
        },
        // A change form posts back to this page, keeping the open tab in the fragment.
        formAction() {
            const here = window.location.pathname + window.location.search;
            return this.activeTab && this.activeTab !== "general" ? `${here}#${this.activeTab}` : here;
        },
    }));
    body.setAttribute("x-data", "trackerLayout");
    body.removeAttribute("x-init");
    for (const form of document.querySelectorAll("form[x-bind\\:action*='window.location']")) {
        form.setAttribute("x-bind:action", "formAction");
    }
    for (const toggle of document.querySelectorAll("[x-on\\:click*='localStorage.setItem']")) {
        toggle.setAttribute("x-on:click", "toggleSidebarDesktop");
    }
});

/* ── Helpers ─────────────────────────────────────────────────────────────────────────────── */

function trackerParagraphOf(node) {
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    return element ? element.closest("[data-number]") : null;
}

function trackerLocation(selection) {
    const first = trackerParagraphOf(selection.anchorNode);
    const last = trackerParagraphOf(selection.focusNode);
    if (!first) {
        return "";
    }
    const numbers = [Number(first.dataset.number), Number((last || first).dataset.number)].sort((a, b) => a - b);
    return numbers[0] === numbers[1] ? `paragraph ${numbers[0]}` : `paragraphs ${numbers[0]}–${numbers[1]}`;
}

function trackerSelectedText(container) {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !container.contains(selection.anchorNode)) {
        return null;
    }
    const text = selection.toString().replace(/\s+/g, " ").trim();
    return text ? { text, location: trackerLocation(selection) } : null;
}

/* ── The document reader: select a passage → Cite this passage → choose the recommendation ── */

function trackerReader(reader) {
    const bar = document.getElementById("tracker-cite-bar");
    if (!bar) {
        return;
    }
    const documentText = reader.querySelector(".tracker-document");
    const choose = bar.querySelector("[data-cite-choose]");
    const search = bar.querySelector("input[type=search]");
    const results = bar.querySelector("[data-cite-results]");
    const without = bar.querySelector("[data-cite-without]");
    let chosen = null;
    let pending = null;

    function formUrl(recommendation) {
        const url = new URL(reader.dataset.citeUrl, window.location.href);
        url.searchParams.set("quote", chosen.text);
        url.searchParams.set("location", chosen.location);
        if (recommendation) {
            url.searchParams.set("recommendation", recommendation);
        }
        return url.pathname + url.search;
    }

    document.addEventListener("selectionchange", () => {
        const selected = trackerSelectedText(documentText);
        if (!selected) {
            return;
        }
        chosen = selected;
        bar.hidden = false;
        bar.querySelector("[data-cite-quote]").textContent =
            selected.text.length > 160 ? `${selected.text.slice(0, 160)}…` : selected.text;
        bar.querySelector("[data-cite-location]").textContent = selected.location;
        without.href = formUrl(null);
    });

    bar.querySelector("[data-cite-start]").addEventListener("click", () => {
        choose.hidden = false;
        search.focus();
    });

    search.addEventListener("input", () => {
        window.clearTimeout(pending);
        pending = window.setTimeout(async () => {
            const url = new URL(reader.dataset.autocompleteUrl, window.location.href);
            url.search = new URLSearchParams({
                term: search.value,
                app_label: "recommendations",
                model_name: "statusupdate",
                field_name: "recommendation",
            }).toString();
            const response = await fetch(url, { credentials: "same-origin" });
            if (!response.ok) {
                return;
            }
            const data = await response.json();
            results.replaceChildren(
                ...data.results.map((item) => {
                    const li = document.createElement("li");
                    const link = document.createElement("a");
                    link.href = formUrl(item.id);
                    link.textContent = item.text;
                    li.append(link);
                    return li;
                }),
            );
            if (!data.results.length) {
                const li = document.createElement("li");
                li.textContent = "No recommendation matches.";
                results.append(li);
            }
        }, 200);
    });
}

/* ── The status update form: the document's text beside the quote, with a search box; a
      refused quote's closest passage, used with one click ─────────────────────────────────── */

function trackerQuoteTools(quote) {
    const row = quote.closest(".form-row, .field-row, fieldset > div") || quote.parentElement;
    const closest = quote.dataset.closestPassage;
    if (closest) {
        const box = document.createElement("div");
        box.className = "tracker-closest";
        const label = document.createElement("p");
        label.textContent = "Closest passage in the document:";
        const passage = document.createElement("blockquote");
        passage.textContent = closest;
        const use = document.createElement("button");
        use.type = "button";
        use.className = "tracker-button";
        use.dataset.useClosest = "";
        use.textContent = "Use this passage";
        use.addEventListener("click", () => {
            quote.value = closest;
            box.remove();
            quote.focus();
        });
        box.append(label, passage, use);
        quote.insertAdjacentElement("afterend", box);
    }

    const panel = document.getElementById("tracker-document-panel");
    const select = document.getElementById("id_document");
    if (!panel || !select) {
        return;
    }
    row.insertAdjacentElement("afterend", panel);
    const body = panel.querySelector("[data-panel-text]");
    const heading = panel.querySelector("[data-panel-title]");
    const filter = panel.querySelector("input[type=search]");
    const count = panel.querySelector("[data-panel-count]");
    const location = document.getElementById("id_location");

    async function load() {
        const id = select.value;
        panel.hidden = !id;
        if (!id) {
            return;
        }
        const response = await fetch(panel.dataset.textUrl.replace("/0/", `/${id}/`), { credentials: "same-origin" });
        if (!response.ok) {
            return;
        }
        const data = await response.json();
        heading.textContent = data.title || data.external_id;
        body.replaceChildren(
            ...data.paragraphs.map((paragraph) => {
                const p = document.createElement("p");
                p.className = "tracker-para";
                p.dataset.number = paragraph.number;
                const number = document.createElement("span");
                number.className = "tracker-para-number";
                number.textContent = paragraph.number;
                const text = document.createElement("span");
                text.className = "tracker-para-text";
                text.textContent = paragraph.text;
                p.append(number, text);
                return p;
            }),
        );
        applyFilter();
    }

    function applyFilter() {
        const term = filter.value.trim().toLowerCase();
        let shown = 0;
        for (const p of body.children) {
            const hit = !term || p.textContent.toLowerCase().includes(term);
            p.hidden = !hit;
            shown += hit ? 1 : 0;
        }
        count.textContent = term ? `${shown} paragraph${shown === 1 ? "" : "s"} contain “${filter.value.trim()}”` : "";
    }

    filter.addEventListener("input", applyFilter);
    panel.querySelector("[data-panel-use]").addEventListener("click", () => {
        const selected = trackerSelectedText(body);
        if (!selected) {
            count.textContent = "Select the words in the text first.";
            return;
        }
        quote.value = selected.text;
        if (location && !location.value) {
            location.value = selected.location;
        }
    });
    select.addEventListener("change", load);
    if (window.django && window.django.jQuery) {
        window.django.jQuery(select).on("change", load);  // the autocomplete widget (select2)
    }
    load();
}

document.addEventListener("DOMContentLoaded", () => {
    const reader = document.getElementById("tracker-reader");
    if (reader) {
        trackerReader(reader);
    }
    const quote = document.querySelector("textarea#id_quote");
    if (quote) {
        trackerQuoteTools(quote);
    }
});
