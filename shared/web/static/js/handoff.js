// Carries the sign-in over to the other service at once; without scripts the button does it.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
