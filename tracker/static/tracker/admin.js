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
