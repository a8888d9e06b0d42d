// Start GOV.UK Frontend's components (menus, error summary focus), and turn each council picker into
// GOV.UK's accessible autocomplete where the page loaded it. Pages work without it: a picker is a select.
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();

const autocomplete = window.accessibleAutocomplete;
if (autocomplete) {
  for (const select of document.querySelectorAll('select[data-module="app-council-picker"]')) {
    autocomplete.enhanceSelectElement({ selectElement: select, defaultValue: "", showAllValues: true });
  }
}
